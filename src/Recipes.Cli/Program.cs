using Recipes.Cli;

return await CliApp.RunAsync(args);
