// How the bench prints its figures (bench.mjs, physical.mjs): seconds, megabytes, and medians.

export const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
export const mb = (bytes) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
export const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
