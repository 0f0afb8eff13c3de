"""The self-evaluation part of a department's final-accounts disclosure (决算公开), issue 20.

``part6_lines`` sets forms out as the published 第六部分 附件 prints them (the department form
first, then the projects), in lines that ``jixiao.disclosure`` reads back to the same forms;
``ruled_pdf`` prints those lines as ruled tables; ``draft_narrative`` writes the 绩效自评情况说明
from the forms, in the structure departments publish, for the department to edit.
"""
