import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/app-error.js';
import {
  assertTransition,
  canTransition,
  closedStates,
  isClosed,
  openStates,
  transitions,
} from './request-lifecycle.js';
import { type RequestState, requestStates } from './request-types.js';

describe('the request state table', () => {
  it('names every state once, and only states it knows as targets', () => {
    expect(Object.keys(transitions).sort()).toEqual([...requestStates].sort());
    for (const targets of Object.values(transitions)) {
      for (const target of targets) expect(requestStates).toContain(target);
    }
  });

  it('walks the happy path from receipt to completion', () => {
    const path: RequestState[] = [
      'received',
      'verifying',
      'verified',
      'in_progress',
      'awaiting_systems',
      'completed',
    ];
    for (let index = 1; index < path.length; index += 1) {
      expect(canTransition(path[index - 1] as RequestState, path[index] as RequestState)).toBe(true);
    }
  });

  it('lets every open request be rejected or withdrawn, and nothing leave a closed state', () => {
    for (const state of openStates) {
      expect(canTransition(state, 'rejected'), state).toBe(true);
      expect(canTransition(state, 'withdrawn'), state).toBe(true);
    }
    for (const state of closedStates) {
      expect(isClosed(state)).toBe(true);
      expect(transitions[state]).toEqual([]);
    }
  });

  it('never starts work before the identity is verified', () => {
    expect(canTransition('received', 'in_progress')).toBe(false);
    expect(canTransition('verifying', 'in_progress')).toBe(false);
    expect(canTransition('received', 'completed')).toBe(false);
  });

  it('refuses any other change with invalid_transition, naming the current state and what it allows', () => {
    try {
      assertTransition('completed', 'in_progress');
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.code).toBe('invalid_transition');
      expect(isAppError(error) && error.status).toBe(409);
      expect(isAppError(error) && error.extensions).toEqual({
        state: 'completed',
        requested: 'in_progress',
        allowed: [],
      });
    }
  });
});
