"""Long work as jobs: records with progress, the task registry, the queue (procrastinate or in-process), workers."""
