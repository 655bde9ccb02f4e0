import { validate } from '../../../shared/api/validate';
import { userConfigDir } from '../../services/project/config-dir';
import { ProjectService } from '../../services/project/project-service';
import { RecentProjects } from '../../services/project/recent-projects';
import type { CliCommand } from '../command';

/** `condense init`: the same project skeleton the app's Projects screen creates, never overwriting. */
export const initCommand: CliCommand = {
  usage: 'init [--name NAME] [--channel C]... [--python VERSION]',
  options: {
    name: { type: 'string' },
    channel: { type: 'string', multiple: true },
    python: { type: 'string' },
  },
  async run(context, values) {
    const channels = Array.isArray(values.channel) ? values.channel.map(String) : undefined;
    // The contract's schema, as the app's door applies it (project:create): a bad --name, --channel
    // or --python is refused naming the field before the folder is touched.
    const request = validate('project:create', {
      dir: context.projectDir,
      ...(typeof values.name === 'string' ? { name: values.name } : {}),
      ...(channels ? { channels } : {}),
      ...(typeof values.python === 'string' ? { python: values.python } : {}),
    });
    const service = new ProjectService(new RecentProjects(userConfigDir()));
    const project = await service.create(request);
    for (const file of project.created) context.out(`${project.dir}/${file}`);
    context.progress(
      `Created project ${project.name}. Next: edit environment.yml, then condense lock.`,
    );
  },
};
