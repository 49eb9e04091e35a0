import { AppError } from '../../lib/app-error.js';
import type { RequestState } from './request-types.js';

/**
 * The one table of allowed state changes. A request moves forward through identity verification and
 * work; it can be rejected or withdrawn until it is closed; `awaiting_systems` returns to `in_progress`
 * when a downstream system needs the request worked again. Closed states have no way out.
 */
export const transitions: Readonly<Record<RequestState, readonly RequestState[]>> = {
  received: ['verifying', 'verified', 'rejected', 'withdrawn'],
  verifying: ['verified', 'rejected', 'withdrawn'],
  verified: ['in_progress', 'rejected', 'withdrawn'],
  in_progress: ['awaiting_systems', 'completed', 'rejected', 'withdrawn'],
  awaiting_systems: ['in_progress', 'completed', 'rejected', 'withdrawn'],
  completed: [],
  rejected: [],
  withdrawn: [],
};

export const closedStates: readonly RequestState[] = ['completed', 'rejected', 'withdrawn'];
export const openStates = (Object.keys(transitions) as RequestState[]).filter(
  (state) => !closedStates.includes(state),
);

export function isClosed(state: RequestState): boolean {
  return closedStates.includes(state);
}

export function canTransition(from: RequestState, to: RequestState): boolean {
  return transitions[from].includes(to);
}

/** The 409 for any change the table does not allow; names the current state and what it allows. */
export function invalidTransition(from: RequestState, to: RequestState): AppError {
  return new AppError('invalid_transition', `A request that is ${from} cannot become ${to}.`, {
    extensions: { state: from, requested: to, allowed: transitions[from] },
  });
}

export function assertTransition(from: RequestState, to: RequestState): void {
  if (!canTransition(from, to)) throw invalidTransition(from, to);
}
