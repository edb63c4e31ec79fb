// How many deferrals one dot of a deferral pen stands for: 1, 2, 5, 10, 20,
// 50 ..., the smallest step that keeps the largest pile within its dots, so
// piles stay comparable across egresses and readable at any volume.

const STEPS = [1, 2, 5] as const;

export function dotUnit(n: number, maxDots: number): number {
  let unit = 1;
  for (let i = 1; n / unit > maxDots; i++) unit = STEPS[i % 3]! * 10 ** Math.floor(i / 3);
  return unit;
}
