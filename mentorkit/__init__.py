"""mentorkit: interactive worksheets for mentoring workshops in Jupyter and Voilà."""
