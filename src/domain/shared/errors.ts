/**
 * A broken business rule, named by a code from the error catalogue (docs/api.md, "Errors"). The domain says what
 * went wrong; the status a client receives is decided at the HTTP edge, from one code → status table
 * (src/http/error-status.ts). Outages of a dependency are not business rules: see src/infra/errors.ts.
 */

/** Every code a business rule (or a request check) can be refused with: the stable, machine-readable catalogue. */
export type ErrorCode =
  // identity
  | 'AUTH_INVALID_CREDENTIALS'
  | 'AUTH_TOKEN_EXPIRED'
  | 'AUTH_TOKEN_REVOKED'
  | 'AUTH_EMAIL_TAKEN'
  | 'AUTH_USERNAME_TAKEN'
  | 'USER_NOT_FOUND'
  | 'USER_ALREADY_EXISTS'
  | 'USER_USERNAME_TAKEN'
  | 'USER_BANNED'
  // rooms
  | 'ROOM_NOT_FOUND'
  | 'ROOM_FULL'
  | 'ROOM_FINISHED'
  | 'ROOM_CODE_TAKEN'
  | 'ROOM_INVALID_TRANSITION'
  | 'ROOM_INVALID_CODE'
  | 'ROOM_INVALID_STATE'
  | 'ROOM_ACCESS_DENIED'
  | 'ROOM_PERMISSION_DENIED'
  | 'ROOM_INVITE_CODE_EXHAUSTED'
  | 'ROOM_EDITOR_LOCKED'
  | 'ROOM_NOT_AI_MODE'
  | 'ROOM_NOT_PEER_MODE'
  | 'ROOM_ROLE_UNAVAILABLE'
  | 'ROOM_ROLE_CONSTRAINT_VIOLATION'
  | 'ROOM_ROLES_LOCKED'
  | 'ROOM_PARTICIPANT_REMOVED'
  | 'ROOM_PARTICIPANTS_NOT_READY'
  | 'ROLE_SWAP_NOT_FOUND'
  | 'ROLE_SWAP_EXPIRED'
  | 'PARTICIPANT_NOT_FOUND'
  | 'PARTICIPANT_CANNOT_CHANGE_ROLE'
  | 'PARTICIPANT_CANNOT_TRANSFER_OWNERSHIP'
  // problems
  | 'PROBLEM_NOT_FOUND'
  | 'PROBLEM_ALREADY_EXISTS'
  | 'PROBLEM_NO_TEST_CASES'
  | 'PROBLEM_DUPLICATE_TITLE'
  | 'PROBLEM_IN_USE'
  // execution
  | 'EXECUTION_JOB_NOT_FOUND'
  | 'EXECUTION_RATE_LIMIT'
  | 'SUBMISSION_NOT_FOUND'
  | 'SUBMISSION_INCOMPLETE'
  | 'SUBMISSION_RATE_LIMIT'
  | 'ANALYSIS_JOB_NOT_FOUND'
  // AI
  | 'AI_HINT_RATE_LIMIT'
  | 'AI_CODE_ANALYSIS_RATE_LIMIT'
  | 'AI_MESSAGE_RATE_LIMIT'
  | 'AI_TRANSCRIPTION_RATE_LIMIT'
  // sessions, feedback, reports
  | 'FEEDBACK_ALREADY_SUBMITTED'
  | 'FEEDBACK_ROOM_NOT_FINISHED'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_NOT_PARTICIPANT'
  | 'SESSION_RECORDING_NOT_FOUND'
  | 'SESSION_WHITEBOARD_NOT_FOUND'
  | 'SESSION_AI_MESSAGES_NOT_FOUND'
  | 'SESSION_REPORT_NOT_READY'
  | 'SESSION_REPORT_UNAVAILABLE'
  // matchmaking
  | 'MATCH_ALREADY_SEARCHING'
  | 'MATCH_ALREADY_ACCEPTED'
  | 'MATCH_NOT_FOUND'
  | 'MATCH_EXPIRED'
  | 'MATCH_REQUEST_UNAVAILABLE'
  // media
  | 'WHITEBOARD_ASSET_TOO_LARGE'
  | 'RECORDING_ALREADY_ACTIVE'
  | 'RECORDING_NOT_ACTIVE'
  | 'RECORDING_CONSENT_MISSING'
  // generic
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PRECONDITION_FAILED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'RATE_LIMIT_EXCEEDED'
  | 'INTERNAL_ERROR';

/**
 * The few codes whose answer depends on the case that raised them, as `CODE/case` (docs/api.md, "Errors"): the
 * client sees the code, the case only picks the status at the edge.
 */
export type ErrorCase =
  /** A media token asked for a finished room. */
  | 'ROOM_FINISHED/media-token'
  /** A host asked to remove themselves (they leave instead). */
  | 'ROOM_PERMISSION_DENIED/remove-self'
  /** The change is never valid in this phase (language of a finished room, AI interviewer outside warmup–wrapup). */
  | 'ROOM_INVALID_STATE/outside-phase'
  /** A field names something that does not exist (an AI job, the hint to follow up). */
  | 'VALIDATION_FAILED/unknown-reference';

/** An entry of the error catalogue: a code, or a code with its case. */
export type ErrorKey = ErrorCode | ErrorCase;

/** The code clients see for a catalogue entry. */
export type CodeOf<K extends ErrorKey> = K extends `${infer C extends ErrorCode}/${string}` ? C : K;

export function codeOf<K extends ErrorKey>(key: K): CodeOf<K> {
  const slash = key.indexOf('/');
  return (slash < 0 ? key : key.slice(0, slash)) as CodeOf<K>;
}

export class DomainError extends Error {
  /** The catalogue entry (code or `CODE/case`); the HTTP edge maps it to a status. */
  readonly key: ErrorKey;
  /** The code the client sees. */
  readonly code: ErrorCode;

  constructor(
    key: ErrorKey,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
    this.key = key;
    this.code = codeOf(key);
  }
}

/** One rejected input field, as the error envelope lists it in `details.fields`. */
export interface FieldError {
  field: string;
  constraint: string;
  value: unknown;
}

/** `VALIDATION_FAILED` naming the fields at fault (docs/api.md, "Errors"). */
export function validationError(fields: FieldError[], message = 'Validation failed'): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { fields });
}
