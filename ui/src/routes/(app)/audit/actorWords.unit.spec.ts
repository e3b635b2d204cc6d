import { describe, expect, it } from 'vitest';
import { actorWords } from './actorWords';

describe('given an audit entry from the API', () => {
  it('shows a person or the system as the API names them', () => {
    expect(actorWords({ type: 'WelcomeEmailSent', actorName: 'Olivia Manager' })).toBe('Olivia Manager');
    // a user who changed their own password or PIN while signed in is named, not taken for a link holder
    expect(actorWords({ type: 'PasswordChanged', actorName: 'Ben Tanaka' })).toBe('Ben Tanaka');
    expect(actorWords({ type: 'AccountDeactivated', actorName: 'Erased user' })).toBe('Erased user');
    expect(actorWords({ type: 'EmailDelivered', actorName: 'System' })).toBe('System');
  });

  it('says who acted without being signed in: someone asking by email, or the holder of a link', () => {
    const anonymous = (type: string) => actorWords({ type, actorName: 'Link holder' });
    expect(anonymous('LoginNameRequested')).toBe('Someone asking by email');
    expect(anonymous('ResetRequested')).toBe('Someone asking by email');
    expect(anonymous('EmailWithheld')).toBe('Someone asking by email');
    expect(anonymous('SetupCompleted')).toBe('Holder of the welcome link');
    expect(anonymous('PasswordChanged')).toBe('Holder of the reset link');
    expect(anonymous('VoicemailPinChanged')).toBe('Holder of the PIN reset link');
    expect(anonymous('SomethingNewer')).toBe('Someone not signed in');
    expect(actorWords({ type: 'ResetRequested', actorName: 'Anonymous request' })).toBe('Someone asking by email');
  });
});
