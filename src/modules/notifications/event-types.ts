import type { Tx } from '../../db/database.js';

/**
 * The event types Custos sends to subscribed systems. Names are dotted, past tense, and stable: they are
 * part of the public webhook contract.
 */
export const eventTypes = [
  'consent.granted',
  'consent.withdrawn',
  'consent.denied',
  'consent.expired',
  'consent.objected',
  'request.received',
  'request.verified',
  'request.extended',
  'request.completed',
  'request.rejected',
  'request.withdrawn',
  'alert.raised',
] as const;
export type EventType = (typeof eventTypes)[number];

/**
 * An event as a module hands it over. `data` carries identifiers (subject id, purpose key, versions),
 * never personal data: webhook receivers look values up through the API with their own permissions.
 */
export type DomainEvent = {
  type: EventType;
  data: Record<string, unknown>;
};

/**
 * Publishing happens inside the caller's transaction, so an event is sent exactly when the change that
 * caused it commits.
 */
export interface EventPublisher {
  publish(tx: Tx, events: readonly DomainEvent[]): Promise<void>;
}

/**
 * Sent only on request (`POST /v1/webhooks/endpoints/{id}/test`) to one endpoint, whatever it subscribes
 * to, so a receiver can be checked end to end. Not subscribable.
 */
export const testEventType = 'webhook.test' as const;

/**
 * Sent by the requests module to one downstream system's endpoint, whatever it subscribes to: the tasks
 * of erasure, rectification and restriction requests (with a callback to confirm them), and the lifting
 * of a restriction. Not subscribable.
 */
export const directMessageTypes = [
  'downstream.erasure_requested',
  'downstream.rectification_requested',
  'downstream.restriction_requested',
  'downstream.restriction_lifted',
] as const;
export type DirectMessageType = (typeof directMessageTypes)[number];

/** Every type a webhook message can carry: the subscribable event types, the test event, direct messages. */
export type MessageType = EventType | typeof testEventType | DirectMessageType;
