import type { Config } from '../../config.js';

/** How the privacy center (and the console's title) presents the organization. */
export type Branding = {
  name: string;
  color: string;
  logoUrl: string | null;
  privacyPolicyUrl: string | null;
};

export function brandingOf(
  config: Pick<Config, 'brandName' | 'brandColor' | 'brandLogoUrl' | 'privacyPolicyUrl'>,
): Branding {
  return {
    name: config.brandName,
    color: config.brandColor.toLowerCase(),
    logoUrl: config.brandLogoUrl ?? null,
    privacyPolicyUrl: config.privacyPolicyUrl ?? null,
  };
}

/** The origin a remote logo is loaded from, which the pages' Content-Security-Policy must allow. */
export function logoOriginOf(branding: Pick<Branding, 'logoUrl'>): string | undefined {
  if (!branding.logoUrl?.startsWith('https://')) return undefined;
  return new URL(branding.logoUrl).origin;
}
