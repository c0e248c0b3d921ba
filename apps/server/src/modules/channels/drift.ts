import type { SqlExecutor } from '../../platform/db.ts';
import { raiseAlert } from './alerts.ts';
import type { ShapeSample } from './connector.ts';
import type { SqlRow } from './settings.ts';

/** Samples before a field missing from a payload counts as vanished (not merely optional). */
const VANISH_AFTER_SAMPLES = 3;

const parentOf = (path: string): string | null => {
  const i = Math.max(path.lastIndexOf('.'), path.lastIndexOf('[]'));
  return i <= 0 ? null : path.slice(0, i);
};

/**
 * Interface drift watch (接口变更预警): compares each payload's field set with what this
 * platform's API sent before. A field never seen, a field every earlier payload had and this one
 * lacks, or a field of another JSON type raises an alert with the example and the first time
 * seen. Orders keep flowing on the mapped fields; this only tells people early.
 */
export async function recordShapes(
  exec: SqlExecutor,
  platform: string,
  samples: readonly ShapeSample[],
  at: Date,
): Promise<number> {
  let alerts = 0;
  for (const s of samples) {
    const counted = await exec.query<{ samples: number }>(
      `INSERT INTO channel_shape_samples (platform, api, samples, first_seen_at, last_seen_at) VALUES ($1,$2,1,$3,$3)
       ON CONFLICT (platform, api) DO UPDATE SET samples = channel_shape_samples.samples + 1, last_seen_at = $3
       RETURNING samples`,
      [platform, s.api, at],
    );
    const before = Number(counted[0]!.samples) - 1;
    const known = new Map(
      (
        await exec.query<{ field: string; type: string; seen: number }>(
          `SELECT field, type, seen FROM channel_shapes WHERE platform = $1 AND api = $2`,
          [platform, s.api],
        )
      ).map((r) => [r.field, { type: r.type, seen: Number(r.seen) }]),
    );
    const first = before === 0;
    for (const [field, type] of Object.entries(s.fields)) {
      const k = known.get(field);
      if (!k) {
        if (
          !first &&
          (await raiseAlert(exec, at, {
            kind: 'drift_new_field',
            platform,
            api: s.api,
            field,
            details: { type, seenInSamples: before },
            example: s.example,
          }))
        )
          alerts++;
        continue;
      }
      // null says nothing about the type a field has when it is set.
      if (type !== k.type && type !== 'null' && k.type !== 'null') {
        if (
          await raiseAlert(exec, at, {
            kind: 'drift_retyped_field',
            platform,
            api: s.api,
            field,
            details: { was: k.type, now: type },
            example: s.example,
          })
        )
          alerts++;
      }
    }
    // One statement for every field of the sample: new ones inserted, known ones counted.
    const entries = Object.entries(s.fields);
    await exec.query(
      `INSERT INTO channel_shapes (platform, api, field, type, seen, first_seen_at, last_seen_at)
       SELECT $1, $2, f.field, f.type, 1, $5, $5 FROM unnest($3::text[], $4::text[]) AS f(field, type)
       ON CONFLICT (platform, api, field) DO UPDATE SET seen = channel_shapes.seen + 1, last_seen_at = EXCLUDED.last_seen_at,
         type = CASE WHEN EXCLUDED.type = 'null' THEN channel_shapes.type ELSE EXCLUDED.type END`,
      [platform, s.api, entries.map((e) => e[0]), entries.map((e) => e[1]), at],
    );
    if (before >= VANISH_AFTER_SAMPLES) {
      for (const [field, k] of known) {
        if (field in s.fields || k.seen < before) continue;
        const parent = parentOf(field);
        if (parent !== null && !(parent in s.fields)) continue;
        if (
          parent !== null &&
          s.fields[parent] === 'array' &&
          !Object.keys(s.fields).some((f) => f.startsWith(`${parent}[]`))
        )
          continue;
        if (
          await raiseAlert(exec, at, {
            kind: 'drift_vanished_field',
            platform,
            api: s.api,
            field,
            details: { type: k.type, seenInSamples: k.seen },
            example: s.example,
          })
        )
          alerts++;
      }
    }
  }
  return alerts;
}

export interface ShapeSummary {
  platform: string;
  api: string;
  samples: number;
  fields: { field: string; type: string; seen: number; firstSeenAt: string }[];
  firstSeenAt: string;
  lastSeenAt: string;
}

export async function shapeSummaries(exec: SqlExecutor): Promise<ShapeSummary[]> {
  const apis = await exec.query<SqlRow>(`SELECT * FROM channel_shape_samples ORDER BY platform, api`);
  const fields = await exec.query<SqlRow>(
    `SELECT platform, api, field, type, seen, first_seen_at FROM channel_shapes ORDER BY platform, api, field`,
  );
  return apis.map((a) => ({
    platform: a.platform,
    api: a.api,
    samples: Number(a.samples),
    firstSeenAt: new Date(a.first_seen_at).toISOString(),
    lastSeenAt: new Date(a.last_seen_at).toISOString(),
    fields: fields
      .filter((f) => f.platform === a.platform && f.api === a.api)
      .map((f) => ({
        field: f.field,
        type: f.type,
        seen: Number(f.seen),
        firstSeenAt: new Date(f.first_seen_at).toISOString(),
      })),
  }));
}
