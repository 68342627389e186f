// The reference server's drain of the audit outbox (docs/server.md 4.1, "Drain"), for the
// default organisation and every stored one (docs/server.md, "Organisations"): audit entries of
// accepted codes that the audit log could not take at the time wait in each organisation's
// guard store outbox until a drain moves them.

/** Entries per `drainAuditOutbox` call. */
const DRAIN_LIMIT = 500;
/** Calls per organisation per drain: a backlog bigger than this waits for the next drain. */
const DRAIN_CALLS_PER_ORGANISATION = 20;
/** Stored organisations per page of the listing. */
const ORGANISATION_PAGE = 100;

const codeOf = (e) => (typeof e?.code === 'string' ? e.code : 'error');

/**
 * Returns `drain()`: moves the outbox of the default organisation, then of each stored
 * organisation (listed through `store.organisations`, paged), at most
 * DRAIN_CALLS_PER_ORGANISATION x DRAIN_LIMIT entries each. Never rejects: a failure of one
 * organisation is logged (its error code and organisation id only) and the others go on; what
 * was not moved stays in the outbox for the next drain.
 *
 * A stored organisation is drained through `server.forOrganisation`, which resolves its keys
 * (and with CLOUDMFA_ORG_KEY_DIR creates its key file on first use): so its outbox is looked at
 * first, and an organisation with nothing waiting is not served at all.
 *
 * @param {{
 *   server: import('@cloudmfa/server').MfaServer,
 *   store: import('@cloudmfa/storage').MfaStore,
 *   warn: (entry: object) => void,
 * }} deps
 */
export function createAuditDrain({ server, store, warn }) {
  const drainOne = async (organisationId, serverOf) => {
    try {
      const api = await serverOf();
      for (let i = 0; i < DRAIN_CALLS_PER_ORGANISATION; i++) {
        if (!(await api.drainAuditOutbox({ limit: DRAIN_LIMIT })).more) return;
      }
    } catch (e) {
      warn({ event: 'audit_outbox_drain_failed', organisationId, code: codeOf(e) });
    }
  };

  const drainStored = async () => {
    if (!store.organisations || typeof store.forOrganisation !== 'function') return;
    let cursor;
    do {
      let page;
      try {
        page = await store.organisations.list({ limit: ORGANISATION_PAGE, ...(cursor ? { cursor } : {}) });
      } catch (e) {
        warn({ event: 'audit_outbox_drain_failed', code: codeOf(e) });
        return;
      }
      for (const { id } of page.organisations) {
        let waiting;
        try {
          waiting = (await store.forOrganisation(id).guard.listPendingAudit({ limit: 1 })).length > 0;
        } catch (e) {
          warn({ event: 'audit_outbox_drain_failed', organisationId: id, code: codeOf(e) });
          continue;
        }
        if (waiting) await drainOne(id, () => server.forOrganisation(id));
      }
      cursor = page.cursor;
    } while (cursor);
  };

  return async function drain() {
    await drainOne('default', async () => server);
    await drainStored();
  };
}
