import type { Endpoint, EndpointVersion } from '../../api';

/**
 * A traffic split being edited: the text of each live version's percent field, by version. Sliders and
 * fields edit the same draft; nothing reaches the server until the whole split is applied at once.
 */
export type SplitDraft = Readonly<Record<string, string>>;

/** What a draft would send, or why it cannot be sent yet. */
export interface ISplitCheck {
  /** The weights to send, when the draft is valid. */
  weights: Record<string, number> | null;
  /** Why it cannot be sent (shown before sending), or null. */
  problem: string | null;
  /** The sum of the valid entries, in percent. */
  total: number;
}

/** The versions that take live traffic (shadows get a copy of it and have no share). */
export function liveVersions(endpoint: Endpoint): EndpointVersion[] {
  return endpoint.versions.filter(v => !v.shadow);
}

/** The endpoint's current split as a draft. */
export function draftOf(endpoint: Endpoint): SplitDraft {
  return Object.fromEntries(liveVersions(endpoint).map(v => [v.version, String(v.weight)]));
}

/** A whole percent from 0 to 100, or null for anything else ("", "12.5", "150", "-3"). */
export function parseShare(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,3}$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value <= 100 ? value : null;
}

/**
 * The draft with `version` set to `text`. With exactly two live versions the other one takes the rest, so
 * moving one slider moves the other; with more, each is set on its own and the sum is checked.
 */
export function setShare(draft: SplitDraft, version: string, text: string): SplitDraft {
  const next: Record<string, string> = { ...draft, [version]: text };
  const versions = Object.keys(draft);
  const value = parseShare(text);
  if (versions.length === 2 && value !== null) {
    const other = versions.find(v => v !== version);
    if (other !== undefined) {
      next[other] = String(100 - value);
    }
  }
  return next;
}

/** Whether the draft can be sent, and what it would send. */
export function checkSplit(draft: SplitDraft): ISplitCheck {
  const entries = Object.entries(draft);
  const weights: Record<string, number> = {};
  const invalid: string[] = [];
  let total = 0;
  for (const [version, text] of entries) {
    const value = parseShare(text);
    if (value === null) {
      invalid.push(`v${version}`);
    } else {
      weights[version] = value;
      total += value;
    }
  }
  if (entries.length === 0) {
    return { weights: null, problem: 'No live version to split traffic between', total };
  }
  if (invalid.length > 0) {
    return {
      weights: null,
      problem: `${invalid.join(', ')}: enter a whole percent from 0 to 100`,
      total
    };
  }
  if (total !== 100) {
    return { weights: null, problem: `The shares sum to ${total}%: they must sum to 100%`, total };
  }
  return { weights, problem: null, total };
}

/** Whether the draft says what the endpoint already does. */
export function sameSplit(draft: SplitDraft, endpoint: Endpoint): boolean {
  const current = draftOf(endpoint);
  const versions = Object.keys(current);
  return (
    versions.length === Object.keys(draft).length &&
    versions.every(v => parseShare(draft[v] ?? '') === Number(current[v]))
  );
}
