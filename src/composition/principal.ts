/** The authenticated caller of a request, resolved from the access token and the users read model. */
export interface Principal {
  userId: string;
  email: string;
  username: string;
  role: 'user' | 'admin';
}

/** Verifies an access token and loads the caller; throws a DomainError (401 UNAUTHORIZED, 403 USER_BANNED). */
export type Authenticator = (token: string) => Promise<Principal>;
