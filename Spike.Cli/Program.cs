return Spike.Cli.Commands.Run(args);
