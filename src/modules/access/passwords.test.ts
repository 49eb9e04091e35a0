import { describe, expect, it } from 'vitest';
import { assertStrongPassword } from './passwords.js';

const owner = {
  name: 'Margaret Holloway',
  email: 'mholloway@northwind-clinic.example',
  brand: 'Acme Health',
};

function refusal(password: string, who = owner): string | undefined {
  try {
    assertStrongPassword(password, who);
    return undefined;
  } catch (error) {
    return (error as { errors?: { message: string }[] }).errors?.[0]?.message ?? 'refused';
  }
}

describe('password strength', () => {
  it('refuses a common breached password or a season with a year, however decorated', () => {
    expect(refusal('Welcome2024!!')).toMatch(/common password/);
    expect(refusal('Summer2024!!')).toMatch(/month or season/);
    expect(refusal('december-2023!')).toMatch(/month or season/);
    expect(refusal('2025Winter!!!')).toMatch(/month or season/);
    expect(refusal('P4ssw0rd2024!')).toMatch(/common password/);
  });

  it('refuses the owner’s name, e-mail address words or the organization’s brand with a year', () => {
    expect(refusal('Margaret2024!!')).toMatch(/Your name/);
    expect(refusal('Holloway1987!?')).toMatch(/Your name/);
    expect(refusal('MargaretHolloway1')).toBeDefined();
    expect(refusal('Northwind2024!!')).toMatch(/Your name/);
    expect(refusal('AcmeHealth2024!')).toMatch(/Your name/);
    expect(refusal('mholloway2024!!')).toMatch(/Your name/);
  });

  it('accepts a long passphrase, even one holding a season inside a word', () => {
    expect(refusal('correct-horse-battery-staple-42!')).toBeUndefined();
    expect(refusal('velvet-waterfall-42-copper-lantern')).toBeUndefined();
  });
});
