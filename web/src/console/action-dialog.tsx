import { type FormEvent, type ReactNode, useState } from 'react';
import { useAction } from '../shared/hooks';
import { Button, Dialog, ErrorAlert } from '../shared/ui';

/** A button that opens a dialog with a small form; the dialog stays open with the error if the call fails. */
export function ActionDialog({
  trigger,
  title,
  submitLabel,
  variant = 'primary',
  onSubmit,
  children,
  description,
}: {
  trigger: string;
  title: string;
  submitLabel: string;
  variant?: 'primary' | 'danger';
  onSubmit: () => Promise<unknown>;
  children?: ReactNode;
  description?: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const action = useAction(onSubmit);
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (await action.run()) setOpen(false);
  }
  return (
    <>
      <Button variant={variant === 'danger' ? 'danger' : 'secondary'} onClick={() => setOpen(true)}>
        {trigger}
      </Button>
      <Dialog
        open={open}
        title={title}
        onClose={() => {
          action.clearError();
          setOpen(false);
        }}
      >
        <form className="form" onSubmit={submit}>
          {description ? <div>{description}</div> : null}
          <ErrorAlert error={action.error} />
          {children}
          <div className="dialog-footer">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button type="submit" variant={variant} busy={action.busy} data-autofocus>
              {submitLabel}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
