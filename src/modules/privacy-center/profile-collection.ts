import { isAppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { CollectionDefinition } from '../vault/collection-schema.js';
import type { CollectionService } from '../vault/collection-service.js';

/** The vault collection holding what a subject gave when registering in the privacy center. */
export const profileCollectionName = 'privacy_center_account';

export const profileCollection: CollectionDefinition = {
  name: profileCollectionName,
  description: 'Given at registration in the privacy center: name and e-mail address.',
  multiple: false,
  fields: [
    {
      name: 'name',
      type: 'string',
      category: 'user.name',
      classification: 'confidential',
      required: true,
      indexed: false,
      tokenizable: false,
      description: 'Your name',
    },
    {
      name: 'email',
      type: 'email',
      category: 'user.contact.email',
      classification: 'confidential',
      required: true,
      indexed: true,
      tokenizable: false,
      description: 'Your e-mail address',
    },
  ],
};

const systemContext: AuditContext = {
  actor: { type: 'system', id: 'privacy-center' },
  requestId: null,
  ip: null,
};

/** Creates the profile collection on first use; a concurrent first use finds it made. */
export async function ensureProfileCollection(
  collections: Pick<CollectionService, 'get' | 'create'>,
): Promise<void> {
  try {
    await collections.get(profileCollectionName);
    return;
  } catch (error) {
    if (!isAppError(error) || error.code !== 'not_found') throw error;
  }
  try {
    await collections.create(systemContext, profileCollection);
  } catch (error) {
    if (!isAppError(error) || error.code !== 'conflict') throw error;
  }
}
