import { Module } from '@nestjs/common';
import { PortalController } from './portal.controller.js';

/** The consumer portal at `/portal`, which `authentication.appPortalAccess` links to. */
@Module({ controllers: [PortalController] })
export class PortalModule {}
