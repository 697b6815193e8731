"""The running bot: settings, the command line, rendering, and (later) the Slack edge."""
