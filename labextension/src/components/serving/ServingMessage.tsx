import * as React from 'react';

import type { IServingMessage } from '../../models/serving';

/** The outcome of an action: an alert for a refusal (the server's message and hint), a status otherwise. */
export function ServingMessage(props: { message: IServingMessage | null }): JSX.Element | null {
  const { message } = props;
  if (!message) {
    return null;
  }
  return message.kind === 'error' ? (
    <div className="jp-matih-error" role="alert">
      {message.text}
    </div>
  ) : (
    <p className="jp-matih-success" role="status">
      {message.text}
    </p>
  );
}

/** A button asking for a second click ("Confirm …?") for a few seconds before it acts. */
export function ConfirmButton(props: {
  label: string;
  confirmLabel: string;
  ariaLabel: string;
  title?: string;
  disabled?: boolean;
  onConfirm: () => void;
}): JSX.Element {
  const [confirming, setConfirming] = React.useState(false);
  React.useEffect(() => {
    if (!confirming) {
      return;
    }
    const timer = window.setTimeout(() => setConfirming(false), 4000);
    return () => window.clearTimeout(timer);
  }, [confirming]);
  return (
    <button
      type="button"
      className={`jp-mod-styled jp-matih-button${confirming ? ' jp-matih-danger' : ''}`}
      aria-label={confirming ? `Confirm: ${props.ariaLabel}` : props.ariaLabel}
      title={props.title}
      disabled={props.disabled}
      onClick={() => {
        if (confirming) {
          setConfirming(false);
          props.onConfirm();
        } else {
          setConfirming(true);
        }
      }}
    >
      {confirming ? props.confirmLabel : props.label}
    </button>
  );
}
