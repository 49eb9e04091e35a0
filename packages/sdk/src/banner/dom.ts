type Attributes = Record<string, string | boolean | ((event: Event) => void)>;

/** An element with attributes, `on…` listeners and children: built with DOM calls, never innerHTML. */
export function el(tag: string, attributes: Attributes, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false) element.setAttribute(name, value);
  }
  element.append(...children);
  return element;
}

const focusable = 'button:not([disabled]),input:not([disabled]),a[href],[tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside `container`, closes on Escape, and focuses its first control. */
export function trapFocus(container: HTMLElement, close: () => void): void {
  const controls = () => [...container.querySelectorAll<HTMLElement>(focusable)];
  container.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== 'Tab') return;
    const list = controls();
    const first = list[0];
    const last = list[list.length - 1];
    const active = (container.getRootNode() as ShadowRoot).activeElement;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first?.focus();
    }
  });
  controls()[0]?.focus();
}
