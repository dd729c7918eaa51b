import * as React from 'react';

export interface IFilterBoxProps {
  /** The filter the table currently shows. */
  applied: string;
  /** The server's message for a refused filter. */
  error: string | null;
  onApply: (filter: string) => void;
}

const PLACEHOLDER = "metrics.acc > 0.9 and params.model = 'rf'";

/** MLflow filter syntax; applied with Enter, refused filters explained inline. */
export function FilterBox(props: IFilterBoxProps): JSX.Element {
  const { applied, error, onApply } = props;
  const [text, setText] = React.useState(applied);
  React.useEffect(() => setText(applied), [applied]);

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    onApply(text);
  };
  const clear = () => {
    setText('');
    if (applied) {
      onApply('');
    }
  };

  return (
    <form className="jp-matih-filter" role="search" onSubmit={submit}>
      <div className="jp-matih-filter-row">
        <input
          type="search"
          className="jp-mod-styled jp-matih-filter-input"
          aria-label="Filter runs"
          aria-invalid={error !== null}
          aria-describedby={error ? 'jp-matih-filter-error' : undefined}
          placeholder={PLACEHOLDER}
          title="MLflow search syntax, e.g. metrics.acc > 0.9 and params.model = 'rf' (Enter to apply)"
          value={text}
          spellCheck={false}
          onChange={e => setText(e.currentTarget.value)}
          onKeyDown={e => {
            if (e.key === 'Escape') {
              clear();
            }
          }}
        />
        <button type="submit" className="jp-mod-styled jp-matih-button" disabled={text.trim() === applied}>
          Apply
        </button>
      </div>
      {error && (
        <div id="jp-matih-filter-error" className="jp-matih-filter-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
