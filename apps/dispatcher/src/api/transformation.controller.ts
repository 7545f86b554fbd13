import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TransformationsService } from '@homing/webhooks';
import { API_PREFIX } from './api.constants.js';
import { ApiErrors } from './api-docs.decorators.js';
import { AppAccess } from './auth/access.decorators.js';
import { EndpointTransformationOut, EndpointTransformationPatch, TransformationSimulateIn, TransformationSimulateOut } from './dto/transformation.dto.js';

/** Svix's capability for reading and changing transformations: the code and its variables may hold a customer's secrets. */
const TRANSFORM = 'ManageTransformations' as const;

@ApiTags('Endpoint')
@ApiErrors()
@Controller(`${API_PREFIX}/app/:appId/endpoint/:endpointId/transformation`)
export class TransformationController {
  constructor(private readonly transformations: TransformationsService) {}

  @Get()
  @AppAccess(TRANSFORM)
  @ApiOperation({ summary: "Get the endpoint's transformation", description: 'Its JavaScript `handler(webhook)`, whether deliveries run it, its variables.' })
  @ApiOkResponse({ type: EndpointTransformationOut })
  async get(@Param('appId') appId: string, @Param('endpointId') endpointId: string): Promise<EndpointTransformationOut> {
    return EndpointTransformationOut.from(await this.transformations.get(appId, endpointId));
  }

  @Patch()
  @HttpCode(204)
  @AppAccess(TRANSFORM)
  @ApiOperation({
    summary: "Set or unset the endpoint's transformation",
    description: 'New code must compile, run its top level within the sandbox limits (16 MB, 100 ms) and declare `handler`; a 422 on `code` says why not.',
  })
  @ApiNoContentResponse()
  async patch(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: EndpointTransformationPatch): Promise<void> {
    await this.transformations.update(appId, endpointId, body);
  }

  @Post('simulate')
  @HttpCode(200)
  @AppAccess(TRANSFORM)
  @ApiOperation({
    summary: 'Run a transformation on a payload, as a delivery to the endpoint would',
    description: 'Nothing is stored or sent. A run that fails (throws, loops, runs out of memory, returns a wrong field) is a 422 on `code` naming why.',
  })
  @ApiOkResponse({ type: TransformationSimulateOut })
  async simulate(@Param('appId') appId: string, @Param('endpointId') endpointId: string, @Body() body: TransformationSimulateIn): Promise<TransformationSimulateOut> {
    return TransformationSimulateOut.from(await this.transformations.simulate(appId, endpointId, body));
  }
}
