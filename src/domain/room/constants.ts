/**
 * The vocabulary of rooms: phases, roles, modes, languages and the fixed numbers the rules refer to.
 */
export const ROOM_STATUSES = ['waiting', 'warmup', 'coding', 'wrapup', 'finished'] as const;
export type RoomStatus = (typeof ROOM_STATUSES)[number];

/** Statuses a public browse may filter on (finished rooms are never browseable). */
export const BROWSEABLE_STATUSES = ['waiting', 'warmup', 'coding', 'wrapup'] as const;

export const ROOM_ROLES = ['interviewer', 'candidate', 'observer'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const ROOM_MODES = ['peer', 'ai'] as const;
export type RoomMode = (typeof ROOM_MODES)[number];

/** Order matters for deterministic fallbacks. */
export const LANGUAGES = ['python', 'javascript', 'typescript', 'java', 'cpp', 'c', 'go', 'rust'] as const;
export type Language = (typeof LANGUAGES)[number];

export const ASSIGNMENT_REASONS = ['requested', 'auto-assigned', 'fallback-observer'] as const;
export type AssignmentReason = (typeof ASSIGNMENT_REASONS)[number];

/** Invite codes: 6 characters without the look-alikes 0/O/1/I/L. */
export const ROOM_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ROOM_CODE_LENGTH = 6;
export const ROOM_CODE_PATTERN = `^[${ROOM_CODE_ALPHABET}]{${ROOM_CODE_LENGTH}}$`;
/** Attempts at a free code before giving up with ROOM_INVITE_CODE_EXHAUSTED. */
export const ROOM_CODE_MAX_ATTEMPTS = 5;

export const MIN_PARTICIPANTS = 2;
export const MAX_PARTICIPANTS = 8;
export const DEFAULT_MAX_PARTICIPANTS = 2;
export const DEFAULT_MAX_DURATION_MINUTES = 120;

/** A role-swap request must be answered within this time. */
export const ROLE_SWAP_TTL_MS = 30_000;

/** Presence: participants without a heartbeat for this long (and joined longer ago than this) are swept. */
export const PRESENCE_TIMEOUT_MS = 120_000;
/** A non-finished room without active participants for this long is finished by the system. */
export const ABANDONED_AFTER_MS = 10 * 60_000;

/** Every phase's allowed successors. Any non-finished phase may go straight to finished. */
export const ALLOWED_TRANSITIONS: Readonly<Record<RoomStatus, readonly RoomStatus[]>> = {
  waiting: ['warmup', 'finished'],
  warmup: ['coding', 'finished'],
  coding: ['wrapup', 'finished'],
  wrapup: ['finished'],
  finished: [],
};

export function isAllowedTransition(from: RoomStatus, to: RoomStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/** The role the host holds when a room is created or ownership is transferred to someone. */
export function hostRoleFor(mode: RoomMode): RoomRole {
  return mode === 'peer' ? 'interviewer' : 'candidate';
}

export function isRoomCode(value: string): boolean {
  return new RegExp(ROOM_CODE_PATTERN).test(value);
}
