using GreyOS.Server;

return await NodeHost.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
