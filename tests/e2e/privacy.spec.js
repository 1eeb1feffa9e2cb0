// @ts-check
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MEMBER_PASSWORD, OWNER_PASSWORD, addPasskeyAuthenticator, expect, joinHousehold, screenshots, test, uploadPhoto, watch } from './fixtures.js';

const corpus = resolve(import.meta.dirname, '../../../shared/corpus/pigallery2/test/backend/assets/4MinsAroundTheWorld');
const photo = join(corpus, 'UTC-20240413-203720-Tokyo.jpg');

// Deleted accounts are purged at the next sweep, and sweeps only run when
// asked for (and on start), so the test decides when.
test.use({ hearthEnv: { HEARTH_RETENTION__ACCOUNT_GRACE_DAYS: '0', HEARTH_RETENTION__SWEEP_MINUTES: '600' } });

test('a member sees what is stored, takes their photos, deletes their account; the owner sweeps and gets a receipt', async ({ page, owner, browser, hearth }, testInfo) => {
  void owner;
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Ben joins. Provoked on his page: a rule with an unclosed quote (400),
  // a wrong password (401).
  const { context, page: ben, problems } = await joinHousehold(page, browser, hearth.url, { username: 'ben', display_name: 'Ben' }, [/status of (400|401)/]);
  await uploadPhoto(ben, photo);
  // Olivia's album, where Ben says something.
  const headers = { origin: hearth.url };
  const album = await (await page.request.post('/api/albums', { data: { title: 'Garden' }, headers })).json();
  const albumPath = `/albums/${album.album.id}`;
  expect((await page.request.post(`/api${albumPath}/members`, { data: { username: 'ben', role: 'viewer' }, headers })).ok()).toBe(true);
  expect((await ben.request.post(`/api${albumPath}/comments`, { data: { body: 'What a lovely garden' }, headers })).ok()).toBe(true);

  // Settings → Privacy: what Hearth stores about him.
  await ben.goto('/settings');
  await ben.getByRole('link', { name: 'Privacy', exact: true }).click();
  await expect(ben).toHaveURL('/settings/privacy');
  await expect(ben.getByRole('heading', { level: 1 })).toHaveText('Privacy');
  const stored = ben.getByRole('region', { name: 'What Hearth stores about you', exact: true });
  await expect(stored.locator('[data-fact="photos"] dd')).toContainText('1 photo, 0 videos');
  await expect(stored.locator('[data-fact="bytes"] dd')).toHaveText(/^\d+(\.\d)? (KB|MB)$/);
  await expect(stored.locator('[data-fact="sessions"] dd')).toHaveText('1 device');
  await expect(stored.locator('[data-fact="albums"] dd')).toHaveText('0 albums');

  // He takes his photos with him: an estimate first, then the archive.
  const takeout = ben.getByRole('region', { name: 'Take your photos with you', exact: true });
  await expect(takeout).toContainText('Right now: 1 file, about');
  await takeout.getByRole('button', { name: 'Make an archive' }).click();
  const download = takeout.getByRole('link', { name: /^Download archive/ });
  await expect(download).toBeVisible({ timeout: 30_000 });
  await expect(takeout).toContainText('Your archive is ready.');
  await expect(takeout).toContainText('It is deleted from the server on');
  await expect(stored.locator('[data-fact="exports"] dd')).toHaveText('1 archive');
  const downloading = ben.waitForEvent('download');
  await download.click();
  const file = await downloading;
  expect(file.suggestedFilename()).toMatch(/^hearth-takeout-ben-.*\.zip$/);
  const bytes = readFileSync(/** @type {string} */ (await file.path()));
  expect(bytes.length).toBeGreaterThan(100);
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');

  // A retention rule, with its dry run before saving.
  const rules = ben.getByRole('region', { name: 'Your retention rules', exact: true });
  await expect(rules).toContainText('Rules only ever move photos to the trash');
  await rules.getByRole('button', { name: 'Add a rule' }).click();
  const ruleDialog = ben.getByRole('dialog', { name: 'New retention rule' });
  await expect(ruleDialog.getByLabel('Whose photos')).toHaveCount(0);
  await ruleDialog.getByLabel('Photos matching').fill('album:"Garage');
  await expect(ruleDialog.getByRole('status')).toContainText('(at character');
  await ruleDialog.getByLabel('Photos matching').fill('type:photo');
  await ruleDialog.getByLabel(/Trash them after/).fill('1');
  await expect(ruleDialog.getByRole('status')).toContainText(/would move to the trash today/);
  await ruleDialog.getByRole('button', { name: 'type:video after 60 days' }).click();
  await expect(ruleDialog.getByLabel('Photos matching')).toHaveValue('type:video');
  await expect(ruleDialog.getByRole('status')).toHaveText('Nothing would move to the trash today.');
  await expect(ruleDialog).toContainText('Rules only move photos to the trash, never delete them.');
  await ben.screenshot({ path: testInfo.outputPath('rule-dialog-desktop-light.png'), animations: 'disabled' });
  await ruleDialog.getByRole('button', { name: 'Add rule' }).click();
  await expect(ruleDialog).toBeHidden();
  const ruleRow = rules.locator('.rule-row');
  await expect(ruleRow).toHaveCount(1);
  await expect(ruleRow).toContainText('type:video after 60 days');
  await ruleRow.getByRole('button', { name: 'Turn off' }).click();
  await expect(ruleRow.locator('.badge-off')).toHaveText('Off');
  await expect(stored.locator('[data-fact="retention_rules"] dd')).toHaveText('1 rule');

  await screenshots(ben, testInfo, 'privacy-member');

  // He deletes his account: his username typed, then his password.
  const danger = ben.getByRole('region', { name: 'Delete your account', exact: true });
  await expect(danger).toContainText('everything is purged at the next clean-up');
  await danger.getByRole('button', { name: 'Delete my account…' }).click();
  const ask = ben.getByRole('dialog', { name: 'Delete your account?' });
  const confirm = ask.getByRole('button', { name: 'Delete my account' });
  await ask.getByLabel('Your password').fill('not my password');
  await expect(confirm).toBeDisabled();
  await ask.getByLabel('Type your username, ben, to confirm').fill('ben');
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(ask.getByRole('alert')).toBeVisible();
  await ask.getByLabel('Your password').fill(MEMBER_PASSWORD);
  await ben.screenshot({ path: testInfo.outputPath('delete-dialog-desktop-light.png'), animations: 'disabled' });
  await confirm.click();
  const deleted = ben.getByRole('dialog', { name: 'Your account will be deleted' });
  await expect(deleted).toContainText('Keep this link: it is the only way for you to cancel.');
  const cancelUrl = await deleted.getByRole('textbox', { name: 'Cancellation link' }).inputValue();
  expect(cancelUrl).toMatch(/\/cancel-deletion\?token=[\w-]+/);
  await ben.setViewportSize({ width: 390, height: 844 });
  await ben.emulateMedia({ colorScheme: 'dark' });
  await ben.screenshot({ path: testInfo.outputPath('cancel-link-phone-dark.png'), animations: 'disabled' });
  await deleted.getByRole('button', { name: 'Done' }).click();
  await expect(ben).toHaveURL('/signin');
  await expect(ben.getByRole('heading', { level: 1 })).toHaveText('Sign in to Hearth');
  // Signed out for real: the API no longer knows him.
  expect((await (await ben.request.get('/api/auth/session')).json()).user ?? null).toBeNull();
  expect(problems, 'Ben’s page: no console errors, no dialogs, nothing from elsewhere').toEqual([]);
  await context.close();

  // Until the purge, his comment is signed “Deleted account”, with no initial.
  await page.goto(albumPath);
  const comment = page.locator('.convo .comment', { hasText: 'What a lovely garden' });
  await expect(comment.locator('.comment-author')).toHaveText('Deleted account');
  await expect(comment.locator('.avatar')).toHaveClass(/avatar-gone/);
  await expect(comment.locator('.avatar')).toHaveText('');

  // The owner sees the pending deletion in Household…
  await page.goto('/settings/household');
  const benRow = page.locator('.row', { hasText: '@ben' });
  await expect(benRow.locator('.badge-pending')).toContainText('Deletion pending · purge on');
  await expect(benRow.getByRole('button', { name: 'Cancel deletion' })).toBeVisible();

  // …and in Settings → Privacy, where she runs the sweeps.
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Privacy', exact: true }).click();
  await expect(page).toHaveURL('/settings/privacy');
  const pending = page.getByRole('region', { name: 'Accounts waiting to be deleted', exact: true });
  await expect(pending.locator('.row', { hasText: 'Ben' })).toBeVisible();
  const retention = page.getByRole('region', { name: 'Retention', exact: true });
  await expect(retention.locator('[data-fact="account_grace_days"]')).toContainText('0 days');
  await expect(retention.locator('[data-fact="account_grace_days"]')).toContainText('account_grace_days');
  await retention.getByRole('button', { name: 'Run sweeps now' }).click();
  await expect(retention.locator('.sweep-result')).toContainText('Removed:');
  await expect(pending).toContainText('No account is waiting to be deleted.');
  const receipts = page.getByRole('region', { name: 'Deleted accounts', exact: true });
  const receipt = receipts.locator('.receipt');
  await expect(receipt).toHaveCount(1);
  await expect(receipt).toContainText(/^Account #\d+ · member · requested .+ · purged .+/);
  await expect(receipt).toContainText('1 photo');
  await expect(receipt).toContainText('1 retention rule');
  await expect(retention.locator('.sweeps tbody tr', { hasText: 'Deleted accounts' })).toContainText('just now');
  await screenshots(page, testInfo, 'privacy-owner');

  // Ben is gone from Household.
  await page.goto('/settings/household');
  await expect(page.locator('.row', { hasText: '@olivia' })).toBeVisible();
  await expect(page.locator('.row', { hasText: '@ben' })).toHaveCount(0);

  // His link cannot bring him back now, and says so.
  const later = await browser.newContext({ baseURL: hearth.url });
  const visitor = await later.newPage();
  const visitorProblems = watch(later, visitor, hearth.url, [/status of 410/]);
  await visitor.goto(new URL(cancelUrl).pathname + new URL(cancelUrl).search);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Keep your account?');
  await visitor.getByRole('button', { name: 'Keep my account' }).click();
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('This link does not work any more');
  await expect(visitor.getByRole('link', { name: 'Go to sign in' })).toBeVisible();
  expect(visitorProblems).toEqual([]);
  await later.close();
});

test('the owner deletes a member from Household and takes it back; a member deletes with a passkey and keeps the account with their link; the trash empties', async ({ page, owner, browser, hearth }, testInfo) => {
  void owner;
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  const { context, page: ann, problems } = await joinHousehold(page, browser, hearth.url, { username: 'ann', display_name: 'Ann' });

  // From Household: the username typed, then deleted; then cancelled.
  await page.goto('/settings/household');
  const annRow = page.locator('.row', { hasText: '@ann' });
  await annRow.getByRole('button', { name: 'Delete account…' }).click();
  const ask = page.getByRole('dialog', { name: 'Delete Ann’s account?' });
  const remove = ask.getByRole('button', { name: 'Delete account' });
  await expect(remove).toBeDisabled();
  await ask.getByLabel('Type their username, ann, to confirm').fill('ann');
  await expect(remove).toBeDisabled();
  await ask.getByLabel('Your password').fill(OWNER_PASSWORD);
  await remove.click();
  await expect(ask).toBeHidden();
  await expect(annRow.locator('.badge-pending')).toContainText('Deletion pending · purge on');
  await page.screenshot({ path: testInfo.outputPath('household-pending-desktop-light.png'), fullPage: true, animations: 'disabled' });
  await annRow.getByRole('button', { name: 'Cancel deletion' }).click();
  await expect(annRow.locator('.badge-pending')).toHaveCount(0);
  await expect(annRow.getByRole('button', { name: 'Delete account…' })).toBeVisible();

  // Ann was signed out by it: she signs in again, adds a passkey (her
  // browser offers no passkey autofill, so signing in stays a choice)…
  await ann.addInitScript(() => {
    /** @type {any} */ (window.PublicKeyCredential).isConditionalMediationAvailable = async () => false;
  });
  await addPasskeyAuthenticator(ann);
  await ann.goto('/signin');
  await ann.getByLabel('Username').fill('ann');
  await ann.getByLabel('Password').fill(MEMBER_PASSWORD);
  await ann.getByRole('button', { name: 'Sign in with password' }).click();
  await expect(ann).toHaveURL('/');
  await ann.goto('/settings/security');
  await ann.getByRole('button', { name: 'Add a passkey' }).click();
  // Named in Hearth's own dialog (not the browser's prompt).
  const naming = ann.getByRole('dialog', { name: 'Add a passkey', exact: true });
  await naming.getByLabel(/A name for it/).fill('Ann’s phone');
  await naming.getByRole('button', { name: 'Continue' }).click();
  // A passkey is a way in: she proves it is her first.
  const proof = ann.getByRole('dialog', { name: 'Add a passkey?' });
  await proof.getByLabel('Your password').fill(MEMBER_PASSWORD);
  await proof.getByRole('button', { name: 'Continue' }).click();
  await expect(ann.getByText('Ann’s phone')).toBeVisible();

  // …and deletes her account, confirming it is her with the passkey.
  await ann.goto('/settings/privacy');
  await ann.getByRole('button', { name: 'Delete my account…' }).click();
  const mine = ann.getByRole('dialog', { name: 'Delete your account?' });
  await expect(mine.getByRole('button', { name: 'Use passkey' })).toBeDisabled();
  await mine.getByLabel('Type your username, ann, to confirm').fill('ann');
  await mine.getByRole('button', { name: 'Use passkey' }).click();
  const deleted = ann.getByRole('dialog', { name: 'Your account will be deleted' });
  const cancelUrl = await deleted.getByRole('textbox', { name: 'Cancellation link' }).inputValue();
  await deleted.getByRole('button', { name: 'Done' }).click();
  await expect(ann).toHaveURL('/signin');

  // The owner sees it pending; Ann's link keeps the account.
  await page.reload();
  await expect(annRow.locator('.badge-pending')).toContainText('Deletion pending');
  await ann.goto(new URL(cancelUrl).pathname + new URL(cancelUrl).search);
  await ann.getByRole('button', { name: 'Keep my account' }).click();
  await expect(ann.getByRole('heading', { level: 1 })).toHaveText('Your account is back');
  await ann.setViewportSize({ width: 390, height: 844 });
  await ann.screenshot({ path: testInfo.outputPath('cancel-deletion-phone-light.png'), fullPage: true, animations: 'disabled' });
  await ann.getByRole('link', { name: 'Sign in' }).click();
  await ann.getByLabel('Username').fill('ann');
  await ann.getByLabel('Password').fill(MEMBER_PASSWORD);
  await ann.getByRole('button', { name: 'Sign in with password' }).click();
  await expect(ann).toHaveURL('/');
  expect(problems, 'Ann’s page: no console errors, no dialogs, nothing from elsewhere').toEqual([]);
  await context.close();

  // The owner's trash: when each photo goes, and emptying it.
  await uploadPhoto(page, photo);
  const id = Number(await page.locator('.tile').first().getAttribute('data-id'));
  expect((await page.request.post('/api/assets/trash', { data: { ids: [id] }, headers: { origin: hearth.url } })).ok()).toBe(true);
  await page.goto('/trash');
  await expect(page.locator('.trash-item')).toHaveCount(1);
  await expect(page.locator('.trash-item')).toContainText('Purged on');
  await expect(page.getByText('purged 30 days after they were moved here')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('trash-desktop-light.png'), fullPage: true, animations: 'disabled' });
  await page.getByRole('button', { name: 'Empty trash' }).click();
  const empty = page.getByRole('dialog', { name: 'Empty the trash?' });
  await expect(empty).toContainText('Files in import folders stay on the NAS');
  await expect(empty).toContainText('will not import them again');
  await empty.getByRole('button', { name: 'Empty trash' }).click();
  await expect(page.getByText('The trash is empty')).toBeVisible();
  await page.goto('/');
  await expect(page.getByText('No photos yet')).toBeVisible();
});
