import { z } from 'zod';

/** How much each factor weighs (its evidence at full strength), and whether it counts at all. */
const ZFactorSetting = z.object({
  weight: z.number().min(0).max(0.99).describe('evidence at full strength, 0–0.99'),
  enabled: z.boolean(),
});

/** What happens when a rule fires, besides the alert: nothing, or contain the principal (reversible). */
export const ZResponse = z.enum(['alert', 'contain']);

export const ZMonitoringSettings = z.object({
  threshold: z.number().min(0.05).max(1).describe('alert at or above this score (default 0.8)'),
  warmupHours: z.number().int().min(1).max(10_000).describe('active hours before a principal is scored'),
  warmupDays: z.number().int().min(0).max(365).describe('days since first seen before it is scored'),
  exfiltrationRatio: z.number().min(1).max(1000).describe('exports in an hour above this many times normal'),
  slowExfiltrationRatio: z
    .number()
    .min(1)
    .max(1000)
    .describe('exports over a day above this many times normal'),
  factors: z.object({
    volume: ZFactorSetting,
    peers: ZFactorSetting,
    new_network: ZFactorSetting,
    off_hours: ZFactorSetting,
    new_purpose: ZFactorSetting,
    breadth: ZFactorSetting,
    enumeration: ZFactorSetting,
    unmatched_requests: ZFactorSetting,
    failed_logins: ZFactorSetting,
  }),
  responses: z.object({
    anomaly: ZResponse,
    exfiltration: ZResponse,
  }),
});

export type MonitoringSettings = z.infer<typeof ZMonitoringSettings>;

const on = (weight: number) => ({ weight, enabled: true });

export const defaultMonitoringSettings: MonitoringSettings = {
  threshold: 0.8,
  warmupHours: 20,
  warmupDays: 7,
  exfiltrationRatio: 10,
  slowExfiltrationRatio: 3,
  factors: {
    volume: on(0.85),
    peers: on(0.5),
    new_network: on(0.45),
    off_hours: on(0.35),
    new_purpose: on(0.3),
    breadth: on(0.6),
    enumeration: on(0.75),
    unmatched_requests: on(0.6),
    failed_logins: on(0.7),
  },
  responses: { anomaly: 'alert', exfiltration: 'alert' },
};

/** Stored settings over the defaults, so a factor added later starts at its default. */
export function settingsFrom(stored: unknown): MonitoringSettings {
  if (!stored || typeof stored !== 'object') return defaultMonitoringSettings;
  const merged = {
    ...defaultMonitoringSettings,
    ...stored,
    factors: { ...defaultMonitoringSettings.factors, ...((stored as { factors?: object }).factors ?? {}) },
    responses: {
      ...defaultMonitoringSettings.responses,
      ...((stored as { responses?: object }).responses ?? {}),
    },
  };
  const parsed = ZMonitoringSettings.safeParse(merged);
  return parsed.success ? parsed.data : defaultMonitoringSettings;
}
