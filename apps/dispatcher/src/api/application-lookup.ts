import { UnprocessableEntityException } from '@nestjs/common';
import { type ApplicationEntity, type ApplicationsService, ConflictError, NotFoundError } from '@homing/webhooks';
import { applicationInput, type ApplicationIn } from './dto/application.dto.js';

/**
 * The application named in the path; if it does not exist and `create` is given, creates it, as
 * Svix does for messages and portal access. The new application's uid must be the path's, so the
 * same request finds it next time.
 */
export async function applicationOrCreate(
  applications: ApplicationsService,
  appIdOrUid: string,
  create: ApplicationIn | null | undefined,
  loc: string[],
): Promise<ApplicationEntity> {
  try {
    return await applications.get(appIdOrUid);
  } catch (error) {
    if (!(error instanceof NotFoundError) || !create) throw error;
  }
  if (create.uid !== appIdOrUid) {
    const msg = create.uid ? 'the application uid in the body must be the one in the path' : 'the application uid must be set (to the one in the path)';
    throw new UnprocessableEntityException({ detail: [{ loc: [...loc, 'uid'], msg, type: 'value_error' }] });
  }
  try {
    return await applications.create(applicationInput(create));
  } catch (error) {
    // Created by a concurrent request in the meantime.
    if (error instanceof ConflictError) return applications.get(appIdOrUid);
    throw error;
  }
}
