export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  lines: string[];
}
export function testName(
  file: string,
  test: { ancestorTitles?: string[]; title?: string; fullName?: string },
): string;
export function skippedTests(report: unknown): string[];
export function summariseReport(label: string, report: unknown, allowed?: string[], error?: string): Summary;
export function readAllowedSkips(file: string): { lists?: Record<string, string[]>; error?: string };
export function summariseStep(spec: string): { failed: number; line: string };
