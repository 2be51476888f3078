/**
 * Where the shared real-world fixtures live, and how tests that need them skip.
 *
 * Fixtures are read in place from `../shared/fixtures/` (relative to the project root) and
 * never copied into the project. In a clone without that folder, such tests skip and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** The project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared/fixtures`, absolute. */
export const FIXTURES = resolve(ROOT, '..', 'shared', 'fixtures');

/** True when the shared fixtures are present. */
export const HAVE_FIXTURES = existsSync(join(FIXTURES, 'README.md'));

/** Absolute path of a fixture file, e.g. `fixture('python-tuf/repository_data/repository/metadata/root.json')`. */
export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** Read a fixture file's bytes. */
export function readFixture(...parts: string[]): Buffer {
  return readFileSync(fixture(...parts));
}

/** Read and parse a JSON fixture. */
export function readFixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFixture(...parts).toString('utf8')) as T;
}

/**
 * `describe` for tests that need ../shared/fixtures: runs them when the folder is there,
 * otherwise registers one skipped placeholder (the body is not collected) and prints why once.
 */
export function describeWithFixtures(name: string, fn: () => void): void {
  if (HAVE_FIXTURES) {
    describe(name, fn);
  } else {
    if (!warned) {
      warned = true;
      console.warn(`[tufkit tests] ${FIXTURES} is absent: tests on the shared real-world fixtures are skipped`);
    }
    // Do not even collect `fn`: it may read fixture files while collecting.
    describe.skip(`${name} (skipped: ../shared/fixtures is absent)`, () => {
      it('needs ../shared/fixtures', () => undefined);
    });
  }
}
let warned = false;
