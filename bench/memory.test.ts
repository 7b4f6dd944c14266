import { rssTrend } from './memory';

// The sustained run's memory verdict: a leak's slope shows, a garbage collector's sawtooth does not.

const sawtooth = (n: number, base: number, amplitude: number) =>
  Array.from({ length: n }, (_, i) => base + ((i % 25) / 25) * amplitude);

describe('rssTrend', () => {
  it('sees no growth in a steady sawtooth, whichever phase the run ends in', () => {
    for (const n of [300, 310, 317]) {
      const trend = rssTrend(sawtooth(n, 250, 60))!;
      expect(Math.abs(trend.growthPct)).toBeLessThan(5);
    }
  });

  it('sees a leak: memory that keeps growing under the same load', () => {
    const leaking = sawtooth(300, 250, 60).map((mb, i) => mb + i * 0.5); // +150 MB over the run
    const trend = rssTrend(leaking)!;
    expect(trend.growthPct).toBeGreaterThan(30); // the quarters' medians are 3/4 of the run apart
    expect(trend.lastMb).toBeGreaterThan(trend.firstMb);
  });

  it('reports shrinking as negative growth', () => {
    const shrinking = Array.from({ length: 100 }, (_, i) => 400 - i);
    expect(rssTrend(shrinking)!.growthPct).toBeLessThan(-15);
  });

  it('compares medians of the first and last quarter', () => {
    const trend = rssTrend([100, 100, 100, 100, 500, 500, 500, 500, 200, 200, 200, 200])!;
    expect(trend).toEqual({ firstMb: 100, lastMb: 200, growthPct: 100, samples: 12 });
  });

  it('gives no verdict on too few samples', () => {
    expect(rssTrend([100, 200, 300])).toBeUndefined();
  });
});
