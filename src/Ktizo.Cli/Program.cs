return Ktizo.Cli.KtizoCommand.Run(args, Ktizo.Cli.CliConsole.System);
