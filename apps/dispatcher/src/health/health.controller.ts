import { Controller, Get, HttpCode } from '@nestjs/common';

@Controller('api/v1/health')
export class HealthController {
  @Get()
  @HttpCode(204)
  check(): void {}
}
