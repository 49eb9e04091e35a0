/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textOn(hex: string): string {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}

/**
 * The banner's styles, adopted by its shadow root as a constructed stylesheet: no <style> element and
 * no style attribute, so a page whose CSP forbids inline styles shows it unchanged. A site restyles it
 * through the custom properties on `#custos-consent` (they win over `:host`).
 */
export function bannerCss(accent: string): string {
  return `:host{--custos-accent:${accent};--custos-on-accent:${textOn(accent)};--custos-bg:#fff;--custos-fg:#1a1a1a;--custos-radius:8px;--custos-font:system-ui,sans-serif;all:initial}
*{box-sizing:border-box}
.banner,.dialog{font:15px/1.5 var(--custos-font);color:var(--custos-fg);background:var(--custos-bg)}
.banner{position:fixed;z-index:2147483000;left:16px;right:16px;bottom:16px;max-width:720px;margin:0 auto;padding:20px;border-radius:var(--custos-radius);box-shadow:0 4px 24px rgba(0,0,0,.25)}
h2{font-size:18px;margin:0 0 8px}
p{margin:0 0 12px}
.gpc{padding:8px 12px;border-left:4px solid var(--custos-accent);background:#f3f3f3}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
button{font:inherit;cursor:pointer;padding:8px 16px;border-radius:6px;border:2px solid var(--custos-accent);background:var(--custos-bg);color:var(--custos-fg)}
button.primary{background:var(--custos-accent);color:var(--custos-on-accent)}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--custos-fg);outline-offset:2px}
a{color:inherit}
.backdrop{position:fixed;z-index:2147483001;inset:0;background:rgba(0,0,0,.5);display:flex;align-items:center;justify-content:center;padding:16px}
.dialog{width:100%;max-width:640px;max-height:90vh;overflow:auto;padding:24px;border-radius:var(--custos-radius)}
.purpose{border-top:1px solid #d0d0d0;padding:12px 0}
.purpose label{display:flex;gap:10px;align-items:center;font-weight:600}
.purpose input{width:20px;height:20px;accent-color:var(--custos-accent)}
.purpose p{margin:4px 0 0 30px;font-size:14px}
.state{font-weight:400;font-size:13px}
.error{color:#a00000}
[hidden]{display:none!important}`;
}
