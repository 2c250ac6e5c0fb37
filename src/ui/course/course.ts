import { parseLesson, type Lesson } from '../../lessons/lesson';
import type { LineError } from '../../lessons/block-data';

/**
 * The course as the browser sees it: every lessons/*.md file, bundled as text in a chunk of its
 * own (loaded when a learner first opens the lessons) and parsed here. The test suite has already
 * checked every claim against the simulation; a file that still fails to parse (a teacher's
 * draft in `npm start`) is listed with its problems instead of breaking the course.
 */
export interface Course {
  lessons: Lesson[];
  broken: { file: string; problems: LineError[] }[];
}

const files = import.meta.glob<string>(['../../../lessons/*.md', '!../../../lessons/README.md'], {
  query: '?raw',
  import: 'default',
});

let loading: Promise<Course> | null = null;

export function loadCourse(): Promise<Course> {
  loading ??= (async () => {
    const entries = await Promise.all(
      Object.entries(files).map(
        async ([path, load]) => [path.replace(/^.*\/lessons\//, 'lessons/'), await load()] as const,
      ),
    );
    const course: Course = { lessons: [], broken: [] };
    for (const [file, text] of entries) {
      const parsed = parseLesson(file, text);
      if (parsed.lesson && parsed.problems.length === 0) course.lessons.push(parsed.lesson);
      else course.broken.push({ file, problems: parsed.problems });
    }
    course.lessons.sort((a, b) => a.order - b.order);
    return course;
  })();
  return loading;
}

export function findLesson(course: Course, id: string): Lesson | undefined {
  return course.lessons.find((lesson) => lesson.id === id);
}

/** The lesson after this one in the course, if any. */
export function nextLesson(course: Course, lesson: Lesson): Lesson | undefined {
  const at = course.lessons.indexOf(lesson);
  return at >= 0 ? course.lessons[at + 1] : undefined;
}
