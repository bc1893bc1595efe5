import { SesNotifier, createSesClient } from '../../adapters/aws/ses-notifier';
import type { Config } from '../config';

export const awsNotifier = (config: Config) => new SesNotifier(createSesClient(), { from: config.SENDER_EMAIL, to: config.ADMIN_EMAIL });
