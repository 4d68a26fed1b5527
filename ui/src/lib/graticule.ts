const STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/** Grid spacing in degrees so that a span shows roughly 6–12 lines. */
export function graticuleStep(spanDegrees: number): number {
  const target = Math.abs(spanDegrees) / 8;
  return STEPS.find((step) => step >= target) ?? 10;
}
