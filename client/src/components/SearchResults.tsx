import { memo } from 'react';
import { useSession, useStore } from '../store/hooks';

const safeUrl = (url: string) => /^https?:\/\//i.test(url.trim());

/** Web search results the run was given, as soon as the search returns. */
export const SearchResults = memo(function SearchResults({ runId }: { runId: string }) {
  const { runs } = useSession();
  const groups = useStore(runs, (s) => s[runId]?.searchResults);
  const results = groups?.flatMap((g) => g.results) ?? [];
  const errors = groups?.flatMap((g) => (g.error ? [g.error] : [])) ?? [];
  if (!groups || groups.length === 0) return null;
  return (
    <details className="search-results" open>
      <summary>Web search · {results.length} {results.length === 1 ? 'result' : 'results'}</summary>
      {errors.map((error) => (
        <p className="lane-error" key={error}>
          The search failed: {error}. The council goes on without it.
        </p>
      ))}
      <ol>
        {results.map((r, i) => (
          <li key={`${r.url}-${i}`}>
            {safeUrl(r.url) ? (
              <a href={r.url} target="_blank" rel="noopener noreferrer nofollow">
                {r.title || r.url}
              </a>
            ) : (
              <span>{r.title || r.url}</span>
            )}
            {r.snippet && <p>{r.snippet}</p>}
          </li>
        ))}
      </ol>
    </details>
  );
});
