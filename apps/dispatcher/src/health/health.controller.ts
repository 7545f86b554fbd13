import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { StatusService } from '@homing/webhooks';
import { API_PREFIX } from '../api/api.constants.js';
import { Public } from '../api/auth/access.decorators.js';
import { HttpErrorOut } from '../api/dto/common.dto.js';

@ApiTags('Health')
@Controller(`${API_PREFIX}/health`)
export class HealthController {
  constructor(private readonly status: StatusService) {}

  @Get()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Whether the dispatcher reaches MariaDB and Redis (asked on every call)' })
  @ApiNoContentResponse({ description: 'Both answer' })
  @ApiServiceUnavailableResponse({ description: 'One of them does not; `detail` says which', type: HttpErrorOut })
  async check(): Promise<void> {
    const health = await this.status.health();
    const down = Object.entries(health).filter(([, up]) => !up).map(([store]) => store);
    if (down.length > 0) throw new ServiceUnavailableException(`not reachable: ${down.join(', ')}`);
  }

  /** Express answers HEAD with the GET route, as Svix's server answers both. */
  @Get('ping')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Whether the dispatcher answers at all (asks nothing of MariaDB or Redis)' })
  @ApiNoContentResponse({ description: 'It does' })
  ping(): void {}
}
