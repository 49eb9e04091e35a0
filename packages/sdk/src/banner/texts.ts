/** The banner's own words; purpose names and texts come from Custos. Add a language by adding a key. */
export const texts = {
  en: {
    region: 'Privacy choices',
    title: 'Your privacy choices',
    intro:
      'We use your data only for the purposes you allow. Choose to see each purpose; you can change your choice at any time.',
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    customize: 'Choose',
    dialogTitle: 'Privacy preferences',
    save: 'Save choices',
    close: 'Close',
    alwaysActive: 'Always active',
    gpcOn: 'Your browser sends a Global Privacy Control signal: we do not sell or share your data.',
    gpcPurpose: 'Off because of Global Privacy Control',
    policy: 'Privacy policy',
    failed: 'Your choice could not be saved. Please try again.',
  },
  de: {
    region: 'Datenschutz-Auswahl',
    title: 'Ihre Datenschutz-Einstellungen',
    intro:
      'Wir verwenden Ihre Daten nur für die Zwecke, die Sie erlauben. Unter „Auswählen“ sehen Sie jeden Zweck; Sie können Ihre Wahl jederzeit ändern.',
    acceptAll: 'Alle akzeptieren',
    rejectAll: 'Alle ablehnen',
    customize: 'Auswählen',
    dialogTitle: 'Datenschutz-Einstellungen',
    save: 'Auswahl speichern',
    close: 'Schließen',
    alwaysActive: 'Immer aktiv',
    gpcOn:
      'Ihr Browser sendet das Signal Global Privacy Control: Wir verkaufen oder teilen Ihre Daten nicht.',
    gpcPurpose: 'Aus wegen Global Privacy Control',
    policy: 'Datenschutzerklärung',
    failed: 'Ihre Auswahl konnte nicht gespeichert werden. Bitte versuchen Sie es erneut.',
  },
} as const;

export type Language = keyof typeof texts;
export type Texts = (typeof texts)[Language];

export function languageOf(requested: string | undefined, browser: readonly string[]): Language {
  for (const candidate of [requested, ...browser]) {
    const base = candidate?.toLowerCase().split('-')[0];
    if (base && base in texts) return base as Language;
  }
  return 'en';
}
