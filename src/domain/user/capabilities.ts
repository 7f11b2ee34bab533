/**
 * Global roles → capabilities. Route guards ask for a capability, never for a role, so the matrix
 * stays the single place that says what an administrator may do.
 */
import { DomainError } from '../shared/errors.js';
import type { UserRole } from './events.js';

export type Capability =
  | 'room:create'
  | 'room:join'
  | 'room:list'
  | 'room:delete-own'
  | 'room:delete-any'
  | 'room:join-any'
  | 'room:force-close'
  | 'problem:view'
  | 'problem:create'
  | 'problem:edit'
  | 'problem:delete'
  | 'user:view-profile'
  | 'user:edit-self'
  | 'user:list'
  | 'user:manage'
  | 'user:ban'
  | 'session:view-own'
  | 'report:view-own'
  | 'session:view-any'
  | 'report:view-any'
  | 'report:export'
  | 'platform:view-analytics'
  | 'platform:manage-settings';

const USER: readonly Capability[] = [
  'room:create',
  'room:join',
  'room:list',
  'room:delete-own',
  'problem:view',
  'user:view-profile',
  'user:edit-self',
  'session:view-own',
  'report:view-own',
];

const ADMIN_ONLY: readonly Capability[] = [
  'room:delete-any',
  'room:join-any',
  'room:force-close',
  'problem:create',
  'problem:edit',
  'problem:delete',
  'user:list',
  'user:manage',
  'user:ban',
  'session:view-any',
  'report:view-any',
  'report:export',
  'platform:view-analytics',
  'platform:manage-settings',
];

export const CAPABILITIES: Readonly<Record<UserRole, ReadonlySet<Capability>>> = {
  user: new Set(USER),
  admin: new Set([...USER, ...ADMIN_ONLY]),
};

export function can(role: UserRole, capability: Capability): boolean {
  return CAPABILITIES[role].has(capability);
}

/** 403 FORBIDDEN unless the role has the capability. */
export function requireCapability(principal: { role: UserRole }, capability: Capability): void {
  if (!can(principal.role, capability)) throw new DomainError('FORBIDDEN', 'Insufficient permissions');
}
