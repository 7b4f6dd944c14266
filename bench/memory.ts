// Whether a process's memory grows under steady load: the trend of its RSS through a run.
//
// Two single readings (idle before, idle after) mostly measure where each fell in the garbage
// collector's cycle and what the load before them left committed: in two full runs of the same
// build they differed by −21 % and +10 %. A leak is memory that keeps growing while the load
// stays the same, so the sustained run compares the median RSS of its last quarter with that of
// its first: a heap's sawtooth is the same in both, a leak's slope is not.

import { percentile } from './drive';

export interface RssTrend {
  /** Median RSS of the first and last quarter of the samples, in MB. */
  firstMb: number;
  lastMb: number;
  /** (lastMb − firstMb) / firstMb, in percent, one decimal. */
  growthPct: number;
  samples: number;
}

const median = (values: number[]) => percentile(Float64Array.from(values).sort(), 50);

/** The trend of RSS samples taken at a steady interval; undefined with fewer than 8 samples. */
export function rssTrend(samplesMb: number[]): RssTrend | undefined {
  if (samplesMb.length < 8) return undefined;
  const quarter = Math.floor(samplesMb.length / 4);
  const firstMb = median(samplesMb.slice(0, quarter));
  const lastMb = median(samplesMb.slice(samplesMb.length - quarter));
  return {
    firstMb: Math.round(firstMb * 10) / 10,
    lastMb: Math.round(lastMb * 10) / 10,
    growthPct: Math.round((1000 * (lastMb - firstMb)) / firstMb) / 10,
    samples: samplesMb.length,
  };
}
