/** The capability matrix (SPEC §3.2) and the read-side rules other modules rely on. */
import { describe, expect, it } from '@jest/globals';
import { capabilitiesOf, hasCapability, hasMediaCapability } from '../../src/domain/room/capabilities.js';
import { assertCanExecute, assertRoleUpperBounds, canEditCode, canViewRoom, collabJoinDenial } from '../../src/domain/room/rules.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { statusOf } from '../../src/http/error-status.js';

describe('capabilitiesOf (SPEC §3.2)', () => {
  it('interviewer', () => {
    expect(capabilitiesOf('interviewer', false)).toEqual([
      'code:view', 'code:edit', 'code:run', 'code:submit', 'code:change-language', 'whiteboard:view', 'whiteboard:draw',
      'whiteboard:annotate', 'media:audio', 'media:video', 'media:screenshare', 'chat:send', 'room:change-phase',
      'recording:replay', 'ai:request-hint', 'ai:request-review',
    ]);
  });

  it('candidate', () => {
    expect(capabilitiesOf('candidate', false)).toEqual([
      'code:view', 'code:edit', 'code:run', 'code:submit', 'code:change-language', 'whiteboard:view', 'whiteboard:draw',
      'whiteboard:annotate', 'media:audio', 'media:video', 'media:screenshare', 'chat:send', 'recording:replay', 'ai:request-hint',
    ]);
  });

  it('observer', () => {
    expect(capabilitiesOf('observer', false)).toEqual(['code:view', 'whiteboard:view', 'whiteboard:annotate', 'chat:send', 'recording:replay']);
  });

  it('host override adds phase, problem, settings, participant management, recording toggle and language change', () => {
    expect(capabilitiesOf('observer', true)).toEqual([
      'code:view', 'code:change-language', 'whiteboard:view', 'whiteboard:annotate', 'chat:send', 'room:change-phase',
      'room:select-problem', 'room:settings', 'participant:invite', 'participant:kick', 'participant:assign-role',
      'recording:toggle', 'recording:replay',
    ]);
    expect(capabilitiesOf('candidate', true)).toContain('participant:kick');
    expect(hasCapability('candidate', false, 'room:change-phase')).toBe(false);
    expect(hasCapability('candidate', true, 'room:change-phase')).toBe(true);
    expect(hasMediaCapability('observer', true)).toBe(false);
    expect(hasMediaCapability('candidate', false)).toBe(true);
  });
});

describe('editor lock rule (DESIGN §10)', () => {
  it('unlocked: interviewers and candidates edit, observers never', () => {
    expect([canEditCode('interviewer', false, false), canEditCode('candidate', false, false), canEditCode('observer', false, false)]).toEqual([true, true, false]);
  });
  it('locked: only the host and interviewers edit', () => {
    expect(canEditCode('interviewer', false, true)).toBe(true);
    expect(canEditCode('candidate', false, true)).toBe(false);
    expect(canEditCode('candidate', true, true)).toBe(true);
    expect(canEditCode('observer', true, true)).toBe(false);
  });
});

describe('assertCanExecute (run / submit, SPEC §3.5)', () => {
  const code = (f: () => void) => {
    try {
      f();
      return 'ok';
    } catch (err) {
      return `${statusOf(err)} ${(err as DomainError).code}`;
    }
  };
  it('active participant, editor unlocked, capability', () => {
    const room = { hostId: 'h', editorLocked: false };
    expect(code(() => assertCanExecute(room, { role: 'candidate', isActive: true }, 'c', 'code:run'))).toBe('ok');
    expect(code(() => assertCanExecute(room, null, 'x', 'code:run'))).toBe('403 ROOM_ACCESS_DENIED');
    expect(code(() => assertCanExecute(room, { role: 'candidate', isActive: false }, 'c', 'code:run'))).toBe('403 ROOM_ACCESS_DENIED');
    expect(code(() => assertCanExecute(room, { role: 'observer', isActive: true }, 'o', 'code:submit'))).toBe('403 ROOM_PERMISSION_DENIED');
    const locked = { hostId: 'h', editorLocked: true };
    expect(code(() => assertCanExecute(locked, { role: 'interviewer', isActive: true }, 'h', 'code:run'))).toBe('409 ROOM_EDITOR_LOCKED');
  });
});

describe('who may see a room, who may join its document', () => {
  it('canViewRoom: active participants; in a finished room any non-removed member', () => {
    expect(canViewRoom('coding', { isActive: true, removedAt: null })).toBe(true);
    expect(canViewRoom('coding', { isActive: false, removedAt: null })).toBe(false);
    expect(canViewRoom('finished', { isActive: false, removedAt: null })).toBe(true);
    expect(canViewRoom('finished', { isActive: false, removedAt: '2026-01-01T00:00:00.000Z' })).toBe(false);
    expect(canViewRoom('waiting', null)).toBe(false);
  });

  it('collabJoinDenial (SPEC §5.3 authorize-join)', () => {
    expect(collabJoinDenial(undefined, null)).toBe('room-not-found');
    expect(collabJoinDenial({ status: 'finished' }, { isActive: true, removedAt: null })).toBe('room-finished');
    expect(collabJoinDenial({ status: 'coding' }, null)).toBe('not-participant');
    expect(collabJoinDenial({ status: 'coding' }, { isActive: false, removedAt: 'x' })).toBe('participant-removed');
    expect(collabJoinDenial({ status: 'coding' }, { isActive: false, removedAt: null })).toBeNull();
  });
});

describe('role upper bounds (SPEC §3.4)', () => {
  const check = (mode: 'peer' | 'ai', roles: Array<'interviewer' | 'candidate' | 'observer'>) => {
    try {
      assertRoleUpperBounds(mode, roles);
      return 'ok';
    } catch (err) {
      return (err as DomainError).code;
    }
  };
  it('peer: at most one interviewer and one candidate, any observers', () => {
    expect(check('peer', ['interviewer', 'candidate', 'observer', 'observer'])).toBe('ok');
    expect(check('peer', ['interviewer', 'interviewer'])).toBe('ROOM_ROLE_CONSTRAINT_VIOLATION');
    expect(check('peer', ['candidate', 'candidate'])).toBe('ROOM_ROLE_CONSTRAINT_VIOLATION');
  });
  it('ai: never an interviewer, at most one candidate', () => {
    expect(check('ai', ['candidate', 'observer'])).toBe('ok');
    expect(check('ai', ['interviewer'])).toBe('ROOM_NOT_PEER_MODE');
    expect(check('ai', ['candidate', 'candidate'])).toBe('ROOM_ROLE_CONSTRAINT_VIOLATION');
  });
});
