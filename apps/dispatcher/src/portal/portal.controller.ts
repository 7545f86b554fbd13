import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../api/auth/access.decorators.js';
import { EMBEDDING_OPTIONS, type EmbeddingOptions, PORTAL_DIST, portalHeaders } from './portal.constants.js';

/**
 * The consumer portal's built files (apps/portal). Paths that are not files are pages of the app,
 * which routes in the browser, so they get index.html. No token here: the page reads it from the
 * link's fragment and sends it to the API itself.
 */
@ApiExcludeController()
@Controller('portal')
export class PortalController {
  constructor(@Inject(EMBEDDING_OPTIONS) private readonly embedding: EmbeddingOptions) {}

  @Get(['', '*path'])
  @Public()
  serve(@Param('path') path: string[] | undefined, @Query('icon') icon: unknown, @Res() response: Response): void {
    const file = (path ?? []).join('/');
    response.set(portalHeaders(this.embedding.frameAncestors, icon));
    if (!file) return this.page(response);
    // Built assets have content hashes in their names, so they never change.
    const hashed = file.startsWith('assets/');
    response.sendFile(file, { root: PORTAL_DIST, maxAge: hashed ? '1y' : 0, immutable: hashed }, (error?: Error & { status?: number }) => {
      if (!error || response.headersSent) return;
      // A missing asset is a 404, not the page, which the browser would fail to run as a script.
      if (hashed || error.status !== 404) response.status(error.status ?? 500).type('text').send('not found');
      else this.page(response);
    });
  }

  private page(response: Response): void {
    response.sendFile('index.html', { root: PORTAL_DIST, headers: { 'cache-control': 'no-cache' } }, (error?: Error) => {
      if (error && !response.headersSent) response.status(503).type('text').send('The consumer portal is not built: run `npm run build`.');
    });
  }
}
