/**
 * The decider shape every aggregate follows: plain data and three pure functions. Time and ids arrive inside the
 * command (`now`, generated ids), so `decide` never reads a clock or a random source.
 */
export interface DomainEvent<T extends string = string, D extends object = object> {
  readonly type: T;
  readonly data: D;
}

export interface Decider<Command, State, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** Returns the events the command produces, or throws a DomainError when a rule forbids it. */
  decide(command: Command, state: State): Event[];
}

/** Fold a history into a state. */
export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
