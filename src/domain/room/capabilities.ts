/**
 * The room capability matrix. A participant's capabilities are the base set of their room role, plus the
 * host override set when they are the host. This is the one place that says who may do what inside a room; the
 * decider, the read endpoints and other modules (execution, AI, media) all ask here.
 */
import type { RoomRole } from './constants.js';

export const CAPABILITIES = [
  'code:view',
  'code:edit',
  'code:run',
  'code:submit',
  'code:change-language',
  'whiteboard:view',
  'whiteboard:draw',
  'whiteboard:annotate',
  'media:audio',
  'media:video',
  'media:screenshare',
  'chat:send',
  'room:change-phase',
  'room:select-problem',
  'room:settings',
  'participant:invite',
  'participant:kick',
  'participant:assign-role',
  'recording:toggle',
  'recording:replay',
  'ai:request-hint',
  'ai:request-review',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const PARTICIPANT_CORE: readonly Capability[] = [
  'code:view',
  'code:edit',
  'code:run',
  'code:submit',
  'code:change-language',
  'whiteboard:view',
  'whiteboard:draw',
  'whiteboard:annotate',
  'media:audio',
  'media:video',
  'media:screenshare',
  'chat:send',
  'recording:replay',
  'ai:request-hint',
];

const BASE: Readonly<Record<RoomRole, readonly Capability[]>> = {
  interviewer: [...PARTICIPANT_CORE, 'room:change-phase', 'ai:request-review'],
  candidate: PARTICIPANT_CORE,
  observer: ['code:view', 'whiteboard:view', 'whiteboard:annotate', 'chat:send', 'recording:replay'],
};

const HOST_OVERRIDE: readonly Capability[] = [
  'code:change-language',
  'room:change-phase',
  'room:select-problem',
  'room:settings',
  'participant:invite',
  'participant:kick',
  'participant:assign-role',
  'recording:toggle',
  'recording:replay',
];

/** base(role) ∪ (host override if host), in the catalogue's order. */
export function capabilitiesOf(role: RoomRole, isHost: boolean): Capability[] {
  const granted = new Set<Capability>(BASE[role]);
  if (isHost) for (const c of HOST_OVERRIDE) granted.add(c);
  return CAPABILITIES.filter((c) => granted.has(c));
}

export function hasCapability(role: RoomRole, isHost: boolean, capability: Capability): boolean {
  return BASE[role].includes(capability) || (isHost && HOST_OVERRIDE.includes(capability));
}

/** Any of the media capabilities (a media token needs one of them). */
export function hasMediaCapability(role: RoomRole, isHost: boolean): boolean {
  return (['media:audio', 'media:video', 'media:screenshare'] as const).some((c) => hasCapability(role, isHost, c));
}
