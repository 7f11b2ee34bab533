/** `problem:create` / `problem:edit` / `problem:delete` and the admin-only read options belong to admins. */
import { DomainError } from '../shared/errors.js';

export type GlobalRole = 'user' | 'admin';

export const canManageProblems = (role: GlobalRole) => role === 'admin';

export function assertCanManageProblems(role: GlobalRole): void {
  if (!canManageProblems(role)) throw new DomainError('FORBIDDEN', 'Only administrators can manage problems');
}

/** Hidden test cases are for admins only (never revealed to anyone else). */
export function assertCanSeeHiddenTests(role: GlobalRole): void {
  if (!canManageProblems(role)) throw new DomainError('FORBIDDEN', 'Only administrators can see hidden test cases');
}
