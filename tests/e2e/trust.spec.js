// @ts-check
import { OWNER_PASSWORD, expect, joinHousehold, screenshots, test } from './fixtures.js';

test('a recovery link asks the owner to prove it is them, waits, reaches the member, who cancels it', async ({ page, owner, browser, hearth }, testInfo) => {
  void owner;
  await page.setViewportSize({ width: 1280, height: 900 });
  const { context, page: sam, problems } = await joinHousehold(page, browser, hearth.url, { username: 'sam', display_name: 'Sam' });

  // Household: the owner is asked for her password before the link is made.
  await page.goto('/settings/household');
  const row = page.locator('.row', { hasText: '@sam' });
  await row.getByRole('button', { name: 'Recovery link' }).click();
  const ask = page.getByRole('dialog', { name: 'A recovery link for Sam?' });
  const make = ask.getByRole('button', { name: 'Make the link' });
  await expect(make).toBeDisabled();
  await ask.getByLabel('Your password').fill(OWNER_PASSWORD);
  await expect(make).toBeEnabled();
  await screenshots(page, testInfo, 'proof-dialog');
  await make.click();
  await expect(ask).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Recovery link' })).toHaveValue(/\/recover\?token=/);
  await expect(page.locator('.callout', { hasText: 'Give this link to Sam' })).toContainText('It works from');
  await expect(row.locator('.recovery-note')).toContainText('Recovery link waiting · made by Olivia, works from');
  await screenshots(page, testInfo, 'household-recovery-link');

  // Sam hears of it at once, and finds it under Settings → Security.
  await sam.goto('/notifications');
  await expect(sam.getByText('Olivia made a recovery link for your account')).toBeVisible();
  await sam.goto('/settings/security');
  const card = sam.getByRole('region', { name: 'Recovery links', exact: true });
  await expect(card).toContainText('Made by Olivia');
  await expect(card.locator('.badge')).toHaveText('Waiting');
  await screenshots(sam, testInfo, 'security-recovery-link');

  // He did not ask for it: cancelled, nobody can use it.
  await card.getByRole('button', { name: 'Cancel it' }).click();
  await expect(card).toContainText('cancelled');
  await expect(card.locator('.badge')).toHaveCount(0);
  await page.reload();
  await expect(page.locator('.row', { hasText: '@sam' }).locator('.recovery-note')).toHaveCount(0);
  expect(problems).toEqual([]);
  await context.close();
});
