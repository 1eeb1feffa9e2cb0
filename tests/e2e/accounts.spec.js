// @ts-check
import { OWNER_PASSWORD, addPasskeyAuthenticator, expect, test } from './fixtures.js';

test('the family joins with passkeys: owner setup, invite, sign out, sign back in', async ({ page, hearth, browser }, testInfo) => {
  // Before setup, the app says what to do instead of showing a sign-in form.
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hearth is almost ready');

  // The owner opens the setup link from the log, on a phone with a passkey.
  await addPasskeyAuthenticator(page);
  await page.goto(hearth.setupUrl.replace(/^http:\/\/localhost:\d+/, ''));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to Hearth');
  await page.getByLabel('Your name').fill('Olivia');
  await page.getByLabel('Username').fill('olivia');
  await page.screenshot({ path: testInfo.outputPath('setup.png'), fullPage: true });
  await page.getByRole('button', { name: 'Create account with a passkey' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Photos');
  await expect(page.getByText('No photos yet')).toBeVisible();

  // She invites Grandpa from Settings → Household.
  await page.goto('/settings/household');
  await page.getByLabel('Who is it for? (optional)').fill('Grandpa');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const inviteUrl = await page.getByLabel('Invite link').inputValue();
  expect(inviteUrl).toContain('/invite?token=');
  await expect(page.getByText('Grandpa', { exact: false }).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('household.png'), fullPage: true });

  // Grandpa, on his own device, accepts with a passkey.
  const context = await browser.newContext({ baseURL: hearth.url });
  const grandpa = await context.newPage();
  // Grandpa's browser has no passkey autofill (as older ones): the button it is.
  await grandpa.addInitScript(() => {
    /** @type {any} */ (window.PublicKeyCredential).isConditionalMediationAvailable = async () => false;
  });
  const elsewhere = [];
  context.on('request', (request) => {
    if (new URL(request.url()).origin !== new URL(hearth.url).origin) elsewhere.push(request.url());
  });
  await addPasskeyAuthenticator(grandpa);
  await grandpa.goto(inviteUrl);
  await expect(grandpa.getByRole('heading', { level: 1 })).toHaveText("You're invited");
  await grandpa.getByLabel('Your name').fill('Grandpa Joe');
  await grandpa.getByLabel('Username').fill('grandpa');
  await grandpa.getByRole('button', { name: 'Create account with a passkey' }).click();
  await expect(grandpa).toHaveURL('/');

  // He signs out...
  await grandpa.goto('/settings');
  await expect(grandpa.getByText('Signed in as')).toContainText('Grandpa Joe');
  await grandpa.getByRole('button', { name: 'Sign out' }).click();
  await expect(grandpa).toHaveURL(/\/signin/);

  // ...and back in with his passkey alone.
  await grandpa.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(grandpa).toHaveURL('/');
  await expect(grandpa.getByRole('link', { name: /Notifications, 1 unread/ })).toBeVisible();
  await grandpa.getByRole('link', { name: /Notifications/ }).click();
  await expect(grandpa.getByText('Welcome to the family’s Hearth, Grandpa Joe')).toBeVisible();
  await expect(grandpa.getByText(/New sign-in/)).toHaveCount(0);
  await grandpa.screenshot({ path: testInfo.outputPath('notifications.png'), fullPage: true });

  // A member sees no Household entry.
  await grandpa.goto('/settings');
  await expect(grandpa.getByRole('link', { name: 'Household' })).toHaveCount(0);
  // Typed in, the page says whose it is, and asks the server nothing (no 403s).
  const refused = [];
  grandpa.on('response', (response) => {
    if (response.status() === 403) refused.push(response.url());
  });
  await grandpa.goto('/settings/household');
  await expect(grandpa.getByRole('heading', { name: 'The owner and admins run the household.' })).toBeVisible();
  expect(refused).toEqual([]);
  expect(elsewhere).toEqual([]);
  await context.close();

  // The owner's browser offers her passkey in the sign-in form's autofill;
  // Chromium's virtual authenticator picks it at once.
  await page.goto('/settings');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL('/');
  await page.goto('/settings');
  await expect(page.getByText('Signed in as')).toContainText('Olivia');
});

test('password sign-in, and back to sign-in when the session ends', async ({ page, owner, browser, hearth }, testInfo) => {
  const context = await browser.newContext({ baseURL: hearth.url });
  const laptop = await context.newPage();
  await laptop.goto('/settings/security');
  await expect(laptop).toHaveURL(/\/signin\?next=%2Fsettings%2Fsecurity/);
  await laptop.screenshot({ path: testInfo.outputPath('signin.png'), fullPage: true });
  await laptop.getByLabel('Username').fill('olivia');
  await laptop.getByLabel('Password').fill('not the password');
  await laptop.getByRole('button', { name: 'Sign in with password' }).click();
  await expect(laptop.getByRole('alert')).toContainText('Those sign-in details are not right');
  await laptop.getByLabel('Password').fill(OWNER_PASSWORD);
  await laptop.getByRole('button', { name: 'Sign in with password' }).click();
  await expect(laptop).toHaveURL('/settings/security');
  await expect(laptop.getByRole('heading', { level: 1 })).toHaveText('Security');
  await expect(laptop.getByText('This device')).toBeVisible();
  await laptop.screenshot({ path: testInfo.outputPath('security.png'), fullPage: true });

  // The owner's phone signs the laptop out; the laptop's next view asks to sign in.
  await page.goto('/settings/security');
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await page.getByRole('dialog', { name: 'Sign out everywhere else?' }).getByRole('button', { name: 'Sign them out' }).click();
  await expect(page.getByRole('button', { name: 'Sign out everywhere else' })).toHaveCount(0);
  await laptop.getByRole('link', { name: 'Photos' }).first().click();
  await expect(laptop).toHaveURL(/\/signin/);
  await context.close();
});

test.describe('at an IP address over plain http', () => {
  test.use({ hearthEnv: { HEARTH_PUBLIC_URL: 'http://192.168.1.20:2468' } });

  test('the sign-in page explains why passkeys are not offered', async ({ page, owner }) => {
    await page.context().clearCookies();
    await page.goto('/signin');
    await expect(page.getByText('Passkeys are not available here.')).toContainText('IP address');
    await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeHidden();
    await page.getByLabel('Username').fill('olivia');
    await page.getByLabel('Password').fill(OWNER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in with password' }).click();
    await expect(page).toHaveURL('/');
  });
});
