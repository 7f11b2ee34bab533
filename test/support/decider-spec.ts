/**
 * The one way to test a decider: given events / when command / then events or a DomainError. No database, no
 * clock: a decider is a pure function of its events and the command.
 *
 *   const spec = deciderSpec(roomDecider);
 *   spec.given(created(), joined(BOB)).when(leave(BOB)).then([left(BOB)]);
 *   spec.given(created()).when(join(HOST)).thenError('ROOM_ALREADY_JOINED', 409);
 *   expect(spec.when(history, command)).toEqual([...]);          // the events, for further folding
 *   expect(spec.errorOf(history, command)).toBe('409 ROOM_FULL'); // 'ok' when accepted
 */
import { expect } from '@jest/globals';
import { fold, type Decider, type DomainEvent } from '../../src/domain/shared/decider.js';
import { DomainError } from '../../src/domain/shared/errors.js';
import { statusOf } from '../../src/http/error-status.js';

/** The outcome of one command: its events, or the error it was refused with. */
export interface Outcome<Event> {
  events: Event[] | undefined;
  error: DomainError | undefined;
  /** Asserts the command was accepted with exactly these events. */
  then(expected: Event[]): void;
  /** Asserts the command was refused with this code and the status the edge answers it with; returns the error. */
  thenError(code: string, status: number): DomainError;
}

/** The DomainError `fn` throws; fails the test when it returns or throws anything else. */
export function rejection(fn: () => unknown): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  return caught as DomainError;
}

/** `'<status> <code>'` of the DomainError `fn` throws, or `'ok'` when it returns. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return `${statusOf(err)} ${err.code}`;
  }
}

export function deciderSpec<Command, State, Event extends DomainEvent>(decider: Decider<Command, State, Event>) {
  const stateOf = (given: readonly Event[]): State => fold(decider, [...given]);
  const when = (given: readonly Event[], command: Command): Event[] => decider.decide(command, stateOf(given));

  function outcome(given: readonly Event[], command: Command): Outcome<Event> {
    let events: Event[] | undefined;
    let error: DomainError | undefined;
    try {
      events = when(given, command);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      error = err;
    }
    return {
      events,
      error,
      then(expected) {
        expect(error).toBeUndefined();
        expect(events).toEqual(expected);
      },
      thenError(code, status) {
        expect(error).toBeInstanceOf(DomainError);
        expect({ code: error?.code, status: statusOf(error) }).toEqual({ code, status });
        return error as DomainError;
      },
    };
  }

  return {
    stateOf,
    when,
    /** The events of running these commands one after the other from an empty stream. */
    history(...commands: Command[]): Event[] {
      return commands.reduce<Event[]>((events, command) => [...events, ...when(events, command)], []);
    },
    given(...given: Array<Event | readonly Event[]>) {
      const events = given.flat() as Event[];
      return { state: stateOf(events), when: (command: Command) => outcome(events, command) };
    },
    errorOf: (given: readonly Event[], command: Command) => errorOf(() => when(given, command)),
    thenError: (given: readonly Event[], command: Command, code: string, status: number) => outcome(given, command).thenError(code, status),
  };
}
